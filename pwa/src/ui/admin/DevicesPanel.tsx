/** An account's devices (passkeys), newest first, and revoking one that is lost or stolen. */

import { useState } from "preact/hooks";

import type { AdminOfficer } from "../../admin-api";
import { formatDateTime } from "../../supervisor-api";
import { useRemote } from "../supervisor/hooks";
import { Problem } from "../supervisor/Problem";
import { useAdminApi } from "./hooks";
import { RevokeDeviceForm } from "./RevokeDeviceForm";

export function DevicesPanel({ officer }: { officer: AdminOfficer }) {
  const api = useAdminApi();
  const remote = useRemote(() => api.devices(officer.id), [officer.id]);
  const [revoked, setRevoked] = useState(false);
  const devices = remote.data?.devices ?? [];
  return (
    <section class="sup-section" aria-labelledby="admin-devices-title">
      <h2 id="admin-devices-title">Devices</h2>
      <p>A revoked device's sessions end at once; its next contact with the server wipes Doorstep's data from it.</p>
      <Problem error={remote.error} retry={remote.reload} />
      {revoked && <p class="note" role="status">Device revoked.</p>}
      {remote.data && devices.length === 0 && <p class="muted">No devices enrolled yet.</p>}
      <ul class="sup-plain admin-devices">
        {devices.map((d, n) => (
          <li key={d.id} class="card">
            <h3>{d.label || `Device ${devices.length - n}`}{d.revoked_at ? " (revoked)" : ""}</h3>
            <p>
              Enrolled {formatDateTime(d.created_at)}; last used {d.last_used_at ? formatDateTime(d.last_used_at) : "never"}.
              {d.revoked_at && ` Revoked ${formatDateTime(d.revoked_at)}.`}
            </p>
            {!d.revoked_at && (
              <RevokeDeviceForm
                device={d}
                onRevoked={() => {
                  setRevoked(true);
                  remote.reload();
                }}
              />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
