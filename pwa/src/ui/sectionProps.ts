import type { LocalRecord } from "../model/types";

/** What every section of the visit editor receives. */
export interface SectionProps {
  visit: LocalRecord;
  children: LocalRecord[];
  drafts: Record<string, string>;
  /** Completed or approved: read-only for the officer. */
  locked: boolean;
}
