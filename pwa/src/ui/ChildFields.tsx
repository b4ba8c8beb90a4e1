/** The fields of one child record (a property item, a kit, a photo's caption). */

import type { FieldDef } from "../model/fields";
import type { LocalRecord } from "../model/types";
import { Field } from "./Field";
import { useApp, useLoad } from "./hooks";

export interface ChildFieldsProps {
  record: LocalRecord;
  visitId: string;
  defs: readonly FieldDef[];
  locked: boolean;
}

export function ChildFields({ record, visitId, defs, locked }: ChildFieldsProps) {
  const app = useApp();
  const drafts = useLoad(() => app.store.drafts.of(record.collection, record.id), [record.id]) ?? {};
  return (
    <>
      {defs.map((def) => (
        <Field
          key={def.path}
          collection={record.collection}
          recordId={record.id}
          visitId={visitId}
          def={def}
          value={record.fields[def.path]}
          draft={drafts[def.path]}
          disabled={locked}
        />
      ))}
    </>
  );
}
