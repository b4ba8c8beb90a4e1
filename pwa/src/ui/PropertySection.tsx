import { PROPERTY_ITEM_FIELDS } from "../model/fields";
import type { SectionProps } from "./sectionProps";
import { ChildFields } from "./ChildFields";
import { FieldGroup } from "./FieldGroup";
import { useApp } from "./hooks";

export function PropertySection({ visit, children, drafts, locked }: SectionProps) {
  const app = useApp();
  const items = children.filter((c) => c.collection === "property_items").sort((a, b) => a.id.localeCompare(b.id));
  const add = () => app.edit({ collection: "property_items", id: crypto.randomUUID(), visit_id: visit.id, fields: { visit_id: visit.id } });
  const remove = (id: string) => app.edit({ collection: "property_items", id, visit_id: visit.id, op: "delete" });
  return (
    <>
      <h3>Items taken</h3>
      {items.length === 0 && <p class="muted">No items recorded.</p>}
      {items.map((item, i) => (
        <fieldset key={item.id} class="card">
          <legend>Item {i + 1}</legend>
          <ChildFields record={item} visitId={visit.id} defs={PROPERTY_ITEM_FIELDS} locked={locked} />
          {!locked && (
            <button type="button" class="secondary danger" onClick={() => void remove(item.id)}>
              Remove item {i + 1}
            </button>
          )}
        </fieldset>
      ))}
      {!locked && (
        <button type="button" onClick={() => void add()}>
          Add item taken
        </button>
      )}
      <h3>Damage and other losses</h3>
      <FieldGroup visit={visit} drafts={drafts} locked={locked} paths={["loss.damage", "loss.not_taken", "loss.vehicle_registration"]} />
    </>
  );
}
