/** A run of visit fields, by path, bound to the visit's local record. */

import { visitField } from "../model/fields";
import type { LocalRecord } from "../model/types";
import { Field } from "./Field";

export interface FieldGroupProps {
  visit: LocalRecord;
  paths: readonly string[];
  drafts: Record<string, string>;
  locked: boolean;
}

export function FieldGroup({ visit, paths, drafts, locked }: FieldGroupProps) {
  return (
    <>
      {paths.map((path) => (
        <Field
          key={path}
          collection="visits"
          recordId={visit.id}
          visitId={visit.id}
          def={visitField(path)}
          value={visit.fields[path]}
          draft={drafts[path]}
          disabled={locked}
        />
      ))}
    </>
  );
}
