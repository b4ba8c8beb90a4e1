/**
 * Earlier burglaries at this address (issue 16.4): when a visit is under way and the phone is
 * online, the reports and visits at the same address within 12 months that the officer may see
 * (`GET /api/addresses/history`). Nothing of it is stored on the phone; offline it says the
 * check could not be made.
 */

import { useEffect, useState } from "preact/hooks";

import { NetworkError } from "../api";
import type { LocalRecord } from "../model/types";
import { formatTime, useApp } from "./hooks";

interface HistoryItem {
  kind: string;
  id: string;
  crime_reference: string | null;
  reported_at: string;
  offence_type: string | null;
  state: string;
  visited_at: string | null;
}

interface AddressHistory {
  repeat_victim: boolean;
  items: HistoryItem[];
}

type Answer = { state: "checking" } | { state: "offline" } | { state: "failed"; message: string } | { state: "done"; history: AddressHistory };

export function AddressHistoryNote({ visit }: { visit: LocalRecord }) {
  const app = useApp();
  const line1 = typeof visit.fields["address.line1"] === "string" ? visit.fields["address.line1"].trim() : "";
  const postcode = typeof visit.fields["address.postcode"] === "string" ? visit.fields["address.postcode"].trim() : "";
  const reportId = typeof visit.fields["reference.report_id"] === "string" ? visit.fields["reference.report_id"] : null;
  const [answer, setAnswer] = useState<Answer>({ state: "checking" });

  useEffect(() => {
    if (!line1 || !postcode) return;
    let live = true;
    const timer = setTimeout(() => {
      if (!navigator.onLine) {
        setAnswer({ state: "offline" });
        return;
      }
      const params = new URLSearchParams({ postcode, line1 });
      if (reportId) params.set("exclude", reportId);
      app.api.get<AddressHistory>(`/api/addresses/history?${params.toString()}`).then(
        (history) => live && setAnswer({ state: "done", history }),
        (exc: unknown) => live && setAnswer(exc instanceof NetworkError ? { state: "offline" } : { state: "failed", message: exc instanceof Error ? exc.message : String(exc) }),
      );
    }, 600);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [app, line1, postcode, reportId]);

  if (!line1 || !postcode) return null;
  let body;
  if (answer.state === "checking") body = <p>Checking for earlier burglaries at this address…</p>;
  else if (answer.state === "offline") body = <p>Earlier visits at this address could not be checked: the phone is offline.</p>;
  else if (answer.state === "failed") body = <p>Earlier visits at this address could not be checked: {answer.message}</p>;
  else {
    const items = answer.history.items.filter((i) => i.id !== visit.id && i.id !== reportId);
    body =
      items.length === 0 ? (
        <p>No earlier reports or visits at this address in the last 12 months that you may see.</p>
      ) : (
        <>
          <p>
            <strong>{items.length === 1 ? "1 earlier burglary" : `${items.length} earlier burglaries`} at this address in the last 12 months</strong>
            {answer.history.repeat_victim ? " (a repeat victim)" : ""}:
          </p>
          <ul>
            {items.map((i) => (
              <li key={i.id}>
                {i.crime_reference ?? "No crime reference"}: reported {formatTime(i.reported_at)}, {i.kind} {i.state.replace(/_/g, " ")}
                {i.visited_at ? `, visited ${formatTime(i.visited_at)}` : ""}
              </li>
            ))}
          </ul>
        </>
      );
  }
  return (
    <div class="address-history" role="status" data-testid="address-history">
      {body}
    </div>
  );
}
