/** The advice catalogue: every item in display order, add, edit (a new version) and retire. */

import { useState } from "preact/hooks";

import { adviceItems } from "../../admin-api";
import { useFocusHeading, useRemote } from "../supervisor/hooks";
import { Problem } from "../supervisor/Problem";
import { AdviceCard } from "./AdviceCard";
import { AdviceItemForm } from "./AdviceItemForm";
import { useAdminApi } from "./hooks";

export function AdvicePage() {
  const api = useAdminApi();
  const remote = useRemote(() => api.advice(), []);
  const [done, setDone] = useState<string | null>(null);
  useFocusHeading("admin-advice-title", "once");
  const changed = (message: string) => {
    setDone(message);
    remote.reload();
  };
  const items = adviceItems(remote.data?.items ?? []);
  return (
    <section aria-labelledby="admin-advice-title">
      <h1 id="admin-advice-title" tabIndex={-1}>Advice catalogue</h1>
      <p>
        The crime prevention advice officers tick on the phone. An edit publishes a new version: visits keep the version they were given.
        Phones receive every change by sync.
      </p>
      {done && <p class="note" role="status">{done}</p>}
      <section class="sup-filters" aria-labelledby="admin-advice-add-title">
        <h2 id="admin-advice-add-title">Add an item</h2>
        <AdviceItemForm before={null} onSaved={(v) => changed(`${v.title} added as item ${v.item_id}. Phones receive it at their next sync.`)} />
      </section>
      <Problem error={remote.error} retry={remote.reload} />
      <h2 id="admin-advice-items-title">Items ({items.filter((i) => !i.current.retired).length} offered)</h2>
      <ul class="sup-plain admin-advice" aria-labelledby="admin-advice-items-title">
        {items.map((i) => (
          <AdviceCard key={`${i.current.item_id}-${i.current.version}-${String(i.current.retired)}`} current={i.current} older={i.older} onChanged={changed} />
        ))}
      </ul>
    </section>
  );
}
