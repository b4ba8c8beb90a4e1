import type { SectionProps } from "./sectionProps";
import { FieldGroup } from "./FieldGroup";

export function AttendanceSection({ visit, drafts, locked }: SectionProps) {
  const reported = visit.fields["reference.reported_at"];
  const arrived = visit.fields["attendance.arrived_at"];
  let gap: string | null = null;
  if (typeof reported === "string" && typeof arrived === "string") {
    const minutes = Math.round((Date.parse(arrived) - Date.parse(reported)) / 60000);
    if (minutes >= 0) gap = `${Math.floor(minutes / 60)} h ${minutes % 60} min from report to arrival`;
  }
  return (
    <>
      <FieldGroup visit={visit} drafts={drafts} locked={locked} paths={["attendance.arrived_at", "attendance.left_at"]} />
      {gap && <p class="note">{gap}</p>}
    </>
  );
}
