/**
 * "A new device was added to your account": shown to the account's holder on each device the
 * account already had, at their next sign-in or unlock, until they answer it there (issue 14
 * item 6, SECURITY.md 35). An administrator can issue an enrolment code for anyone; this is how
 * the holder finds out. "This was not me" revokes the new device at once (the server does it)
 * and tells them to report it. A new device is likewise shown the devices already there.
 *
 * A modal dialog over whatever the person was doing: it is read from the server when the app
 * opens unlocked (and again when the phone comes back online), so an answer can always be sent.
 */

import { useEffect, useRef, useState } from "preact/hooks";

import { ApiError } from "../api";
import type { DeviceNotice } from "../model/types";
import { acknowledgeNotice, pendingNotices } from "../services/device-notices";
import { useApp } from "./hooks";

function failure(exc: unknown): string {
  if (exc instanceof ApiError) return `${exc.message} Try again, or continue and answer at your next sign-in.`;
  return "No connection: your answer was not sent. Try again, or continue and answer at your next sign-in.";
}

export function DeviceNotices() {
  const app = useApp();
  const [notices, setNotices] = useState<DeviceNotice[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const [later, setLater] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    let live = true;
    const load = () => {
      pendingNotices(app.api)
        .then((found) => live && setNotices(found))
        .catch(() => undefined); // offline: shown when the phone is back online
    };
    load();
    window.addEventListener("online", load);
    return () => {
      live = false;
      window.removeEventListener("online", load);
    };
  }, [app]);

  const open = !later && (notices.length > 0 || revoked !== null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const notice = notices[0];
  const answer = async (recognised: boolean) => {
    if (!notice) return;
    setBusy(true);
    setError(null);
    try {
      await acknowledgeNotice(app.api, notice.id, recognised);
      if (!recognised && notice.can_revoke) setRevoked(notice.device.label || "the new device");
      setNotices(notices.slice(1));
    } catch (exc) {
      setError(failure(exc));
    } finally {
      setBusy(false);
    }
  };

  const added = notice?.kind === "device_added";
  return (
    <dialog ref={dialog} class="device-notice" aria-labelledby="device-notice-title" onCancel={(e) => e.preventDefault()}>
      {revoked !== null && !notice ? (
        <>
          <h2 id="device-notice-title">That device has been revoked</h2>
          <p role="status">
            {revoked} can no longer use your account. Tell your supervisor now that a device you did not add was added to your account.
          </p>
          <button type="button" class="primary" onClick={() => setRevoked(null)}>OK</button>
        </>
      ) : notice ? (
        <>
          <h2 id="device-notice-title">{added ? "A new device was added to your account" : "Your account already had another device"}</h2>
          {notices.length > 1 && <p>Notice 1 of {notices.length}.</p>}
          <p class="device-notice-message">{notice.message}</p>
          {added ? (
            <p>
              If you added it, confirm below. If you did not, choose "This was not me": that device is revoked at once. Then tell your
              supervisor.
            </p>
          ) : (
            <p>If you do not recognise that device, say so below and tell your supervisor: an administrator can revoke it.</p>
          )}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <button type="button" class="primary" disabled={busy} onClick={() => void answer(true)}>
            {added ? "Yes, I added it" : "I recognise it"}
          </button>
          <button type="button" class="secondary danger" disabled={busy} onClick={() => void answer(false)}>
            {added ? "This was not me: revoke it" : "I do not recognise it"}
          </button>
          {error && (
            <button type="button" class="secondary" onClick={() => setLater(true)}>
              Continue for now
            </button>
          )}
        </>
      ) : null}
    </dialog>
  );
}
