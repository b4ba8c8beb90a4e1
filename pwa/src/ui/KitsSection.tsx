import { useState } from "preact/hooks";

import { KIT_FIELDS } from "../model/fields";
import type { SectionProps } from "./sectionProps";
import { BarcodeScanner, barcodeSupported } from "./BarcodeScanner";
import { ChildFields } from "./ChildFields";
import { useApp } from "./hooks";

export function KitsSection({ visit, children, locked }: SectionProps) {
  const app = useApp();
  const [scanning, setScanning] = useState<string | null>(null);
  const kits = children.filter((c) => c.collection === "kit_issues").sort((a, b) => a.id.localeCompare(b.id));
  const add = () =>
    app.edit({ collection: "kit_issues", id: crypto.randomUUID(), visit_id: visit.id, fields: { visit_id: visit.id, recipient: "victim", registration: "to_do" } });
  const remove = (id: string) => app.edit({ collection: "kit_issues", id, visit_id: visit.id, op: "delete" });
  const scanned = (id: string, code: string) => {
    setScanning(null);
    void app.edit({ collection: "kit_issues", id, visit_id: visit.id, fields: { kit_code: code } });
  };
  return (
    <>
      {kits.length === 0 && <p class="muted">No kits issued.</p>}
      {kits.map((kit, i) => (
        <fieldset key={kit.id} class="card">
          <legend>Kit {i + 1}</legend>
          <ChildFields record={kit} visitId={visit.id} defs={KIT_FIELDS} locked={locked} />
          {!locked && barcodeSupported() && (
            scanning === kit.id ? (
              <BarcodeScanner onCode={(code) => scanned(kit.id, code)} onClose={() => setScanning(null)} />
            ) : (
              <button type="button" class="secondary" onClick={() => setScanning(kit.id)}>
                Scan kit code<span class="visually-hidden"> for kit {i + 1}</span>
              </button>
            )
          )}
          {!locked && (
            <button type="button" class="secondary danger" onClick={() => void remove(kit.id)}>
              Remove kit {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      {!locked && (
        <button type="button" onClick={() => void add()}>
          Add kit issued
        </button>
      )}
    </>
  );
}
