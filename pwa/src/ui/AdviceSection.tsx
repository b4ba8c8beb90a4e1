import type { AdviceItem } from "../model/types";
import type { SectionProps } from "./sectionProps";
import { FieldGroup } from "./FieldGroup";
import { useRef, useState } from "preact/hooks";
import { useApp } from "./hooks";

interface Tick {
  id: string;
  version: number;
}

export function AdviceSection({ visit, drafts, locked }: SectionProps) {
  const app = useApp();
  const catalogue = app.session.catalogue;
  const stored = visit.fields["advice.items"];
  // The ticks the officer just made are the base of the next tap until the stored record
  // catches up: two quick ticks must both count (and neither may flicker).
  const chosen = useRef<{ ticks: Tick[]; seen: unknown } | null>(null);
  if (chosen.current && JSON.stringify(chosen.current.seen ?? null) !== JSON.stringify(stored ?? null)) chosen.current = null;
  const ticks = chosen.current ? chosen.current.ticks : ((Array.isArray(stored) ? stored : []) as unknown as Tick[]);
  const ticked = new Set(ticks.map((t) => t.id));
  const [, rerender] = useState(0);
  const toggle = (item: AdviceItem, on: boolean) => {
    const next = on ? [...ticks.filter((t) => t.id !== item.id), { id: item.id, version: item.version }] : ticks.filter((t) => t.id !== item.id);
    chosen.current = { ticks: next, seen: stored };
    rerender((n) => n + 1);
    void app.edit({ collection: "visits", id: visit.id, visit_id: visit.id, fields: { "advice.items": next as never } });
  };
  const groups = new Map<string, AdviceItem[]>();
  for (const item of catalogue?.items ?? []) groups.set(item.category, [...(groups.get(item.category) ?? []), item]);
  return (
    <>
      {!catalogue ? (
        <p class="note">The advice catalogue has not reached this phone yet; it arrives with the next sync.</p>
      ) : (
        <>
          <p class="hint">Window locks, Interior timer lights, Double locks and Exterior sensor lights together (“WIDE”) protect best; an alarm alone does not.</p>
          {[...groups.entries()].map(([category, items]) => (
            <fieldset key={category} class="field choice">
              <legend>{category}</legend>
              {items.map((item) => (
                <label key={item.id} class="choice-item advice-item">
                  <input type="checkbox" disabled={locked} checked={ticked.has(item.id)} onChange={(e) => toggle(item, e.currentTarget.checked)} />
                  <span>
                    <strong>{item.title}</strong>
                    {item.tags.includes("wide") && <span class="badge">WIDE</span>}
                    <span class="advice-body">{item.body}</span>
                  </span>
                </label>
              ))}
            </fieldset>
          ))}
        </>
      )}
      <FieldGroup visit={visit} drafts={drafts} locked={locked} paths={["advice.extra", "advice.leaflet_given", "advice.survey_requested"]} />
      <p class="hint">Victim referral and Victims' Code information are in the Victim section.</p>
    </>
  );
}
