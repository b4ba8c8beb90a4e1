/** Approve a completed visit, or return it to the officer with a note (the server's errors shown as they come). */

import { useRef, useState } from "preact/hooks";

import { STATUS_LABELS } from "../../model/fields";
import { checkReview, errorMessage, needsSignIn, type ReviewDecision, type VisitDetail } from "../../supervisor-api";
import { useSupervisorApi } from "./hooks";
import { SignInAgain } from "./SignInAgain";

export function ReviewPanel({ detail, onReviewed }: { detail: VisitDetail; onReviewed: () => void }) {
  const api = useSupervisorApi();
  const [note, setNote] = useState("");
  const [noteError, setNoteError] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const doneRef = useRef<HTMLParagraphElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const reviewable = detail.status === "completed";
  // Approval waits for every photo's bytes (the server answers 409 photos_unverified).
  const unverified = detail.photos.filter((p) => p["upload.status"] !== "verified").length;

  const send = async (decision: ReviewDecision) => {
    setDone(null);
    setFailure(null);
    const problem = checkReview(decision, note);
    setNoteError(problem);
    if (problem) {
      document.getElementById("review-note")?.focus();
      return;
    }
    setBusy(true);
    try {
      const result = await api.review(detail.id, decision, note);
      setNote("");
      setDone(
        result.status === "approved"
          ? "Visit approved. The officer's phone shows it on its next sync."
          : `Visit returned to ${detail.officer.display_name}. The note reaches the phone on its next sync.`,
      );
      onReviewed();
      setTimeout(() => doneRef.current?.focus(), 0);
    } catch (exc) {
      setFailure(exc);
      // A 409 means the visit changed under us: show it as it is now.
      onReviewed();
      setTimeout(() => errorRef.current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  const described = ["review-note-hint", noteError ? "review-note-error" : ""].filter(Boolean).join(" ");
  return (
    <section class="sup-section sup-review" aria-labelledby="review-title">
      <h2 id="review-title" tabIndex={-1}>Review</h2>
      {done && (
        <p class="note" role="status" tabIndex={-1} ref={doneRef}>{done}</p>
      )}
      {failure !== null && (
        needsSignIn(failure) ? (
          <SignInAgain onSignedIn={() => setFailure(null)} />
        ) : (
          <div class="sup-problem" role="alert" tabIndex={-1} ref={errorRef}>
            <p class="error">The review was not saved: {errorMessage(failure)}</p>
          </div>
        )
      )}
      {reviewable ? (
        <form class="sup-review-form" onSubmit={(e) => e.preventDefault()} noValidate>
          <div class={noteError ? "field invalid" : "field"}>
            <label for="review-note">Note for the officer</label>
            <p class="hint" id="review-note-hint">Required when you return the visit: say what to fix. Optional when you approve.</p>
            <textarea
              id="review-note"
              rows={4}
              maxLength={2000}
              value={note}
              aria-invalid={noteError ? true : undefined}
              aria-describedby={described}
              onInput={(e) => {
                setNote(e.currentTarget.value);
                if (noteError) setNoteError(null);
              }}
            />
            {noteError && <p class="error" id="review-note-error">{noteError}</p>}
          </div>
          {unverified > 0 && (
            <p class="note" id="review-photos-waiting">
              {unverified === 1 ? "1 photo of this visit has" : `${unverified} photos of this visit have`} not reached the server yet.
              Approve once the officer's phone has sent {unverified === 1 ? "it" : "them"}, or return the visit if a photo will not come.
            </p>
          )}
          <div class="sup-actions">
            <button type="button" disabled={busy} aria-describedby={unverified > 0 ? "review-photos-waiting" : undefined} onClick={() => void send("approve")}>Approve</button>
            <button type="button" class="secondary" disabled={busy} onClick={() => void send("return")}>Return to officer</button>
          </div>
        </form>
      ) : (
        <p class="note">
          This visit is {(STATUS_LABELS[detail.status] ?? detail.status).toLowerCase()}. Only a completed visit can be approved or returned
          {detail.status === "returned" ? ": it comes back here when the officer completes it again." : "."}
        </p>
      )}
    </section>
  );
}
