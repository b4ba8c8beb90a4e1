/** The message for one field of a form the officer submitted, tied to its input by id. */

import type { Problem } from "../aftercare/records";

export function problemFor(problems: Problem[], field: string): string | null {
  return problems.find((p) => p.field === field)?.message ?? null;
}

export function ProblemText({ id, problems, field }: { id: string; problems: Problem[]; field: string }) {
  const message = problemFor(problems, field);
  return message ? <p class="error" id={id}>{message}</p> : null;
}
