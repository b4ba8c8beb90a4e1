/**
 * Devices added to this account (issue 14 item 6, SECURITY.md 35): the server tells each device
 * an account already had when another is enrolled, and keeps telling it (GET /api/me `notices`)
 * until the holder answers on that device. Answering "not recognised" to a device added since
 * revokes that device at once (server/auth/notices.py); the new device's own notices about the
 * older ones are recorded and audited only.
 */

import type { Api } from "../api";
import type { DeviceNotice, Profile } from "../model/types";

/** The notices this device has still to show, fresh from the server (online only). */
export async function pendingNotices(api: Api): Promise<DeviceNotice[]> {
  const me = await api.get<Profile>("/api/me");
  return (me.notices ?? []).filter((n) => n.acknowledged_at === null);
}

/** The holder's answer to one notice; the server's copy of it as answered. */
export function acknowledgeNotice(api: Api, id: string, recognised: boolean): Promise<DeviceNotice> {
  return api.post<DeviceNotice>(`/api/me/notices/${encodeURIComponent(id)}/ack`, { recognised });
}
