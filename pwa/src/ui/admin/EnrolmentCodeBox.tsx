/** A one-time enrolment code, shown once: the server never shows it again. */

import { formatDateTime } from "../../supervisor-api";
import type { EnrolmentCode } from "../../admin-api";

export function EnrolmentCodeBox({ code, who, onDone }: { code: EnrolmentCode; who: string; onDone: () => void }) {
  return (
    <div class="note admin-code" role="status" aria-live="polite">
      <p>
        Enrolment code for {who}: <strong class="admin-code-value" data-testid="enrolment-code">{code.code}</strong>
      </p>
      <p>
        Pass it to them now, in person or by a force channel: it works once, until {formatDateTime(code.expires_at)}, and is never shown
        again. They type it with their collar number on the device they will use.
      </p>
      <button type="button" class="secondary" onClick={onDone}>I have passed it on: hide the code</button>
    </div>
  );
}
