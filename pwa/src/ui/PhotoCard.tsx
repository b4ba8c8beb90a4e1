/** One photo: a local thumbnail (object URL of the original Blob), its details and where its bytes are. */

import { useEffect, useState } from "preact/hooks";

import { PHOTO_FIELDS } from "../model/fields";
import type { LocalRecord } from "../model/types";
import { ChildFields } from "./ChildFields";
import { formatBytes, useApp, useLoad } from "./hooks";

export function PhotoCard({ photo, index, visitId, locked }: { photo: LocalRecord; index: number; visitId: string; locked: boolean }) {
  const app = useApp();
  const local = useLoad(() => app.store.photos.get(photo.id), [photo.id]);
  const [url, setUrl] = useState<string | null>(null);
  const blob = local?.blob ?? null;

  useEffect(() => {
    if (!blob) return undefined;
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);

  const serverStatus = photo.fields["upload.status"];
  let status: string;
  if (serverStatus === "verified") status = "Verified on the server";
  else if (!local) status = serverStatus === "failed" ? "Failed verification on the server" : "On the server";
  else if (local.upload_state === "uploading") status = `Uploading: ${formatBytes(local.upload_offset)} of ${formatBytes(local.byte_size)}`;
  else if (local.upload_state === "uploaded") status = "Uploaded, being verified";
  else if (local.upload_state === "failed") status = `Upload failed: ${local.upload_error ?? "unknown error"}`;
  else status = `Waiting to upload (${formatBytes(local.byte_size)})`;

  const alt = `Photo ${index + 1}${typeof photo.fields["caption"] === "string" && photo.fields["caption"] ? `: ${photo.fields["caption"]}` : ""}`;
  return (
    <fieldset class="card photo-card">
      <legend>Photo {index + 1}</legend>
      {url ? (
        <img class="thumb" src={url} alt={alt} />
      ) : serverStatus === "verified" && navigator.onLine ? (
        <img class="thumb" src={`/api/photos/${photo.id}/thumb`} alt={alt} />
      ) : (
        <div class="thumb placeholder" role="img" aria-label={alt}>No preview on this phone</div>
      )}
      <p class="status-line" data-testid="photo-status">{status}</p>
      <ChildFields record={photo} visitId={visitId} defs={PHOTO_FIELDS} locked={locked} />
    </fieldset>
  );
}
