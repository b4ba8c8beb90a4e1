/** The visit's photos: thumbnails (alt text from category and caption), display copy and original. */

import { useState } from "preact/hooks";

import { optionLabel, PHOTO_CATEGORIES } from "../../model/fields";
import { formatDateTime, type PhotoRecord } from "../../supervisor-api";
import { displayValue, UPLOAD_WORDS } from "./display";

export function photoAlt(photo: PhotoRecord, n: number): string {
  const category = photo["category"] ? optionLabel(PHOTO_CATEGORIES, photo["category"]) : "Uncategorised";
  const caption = typeof photo["caption"] === "string" ? photo["caption"].trim() : "";
  return caption ? `${category}: ${caption}` : `${category} photo ${n}`;
}


function Photo({ photo, n }: { photo: PhotoRecord; n: number }) {
  const [broken, setBroken] = useState(false);
  const status = String(photo["upload.status"] ?? "pending");
  const verified = status === "verified";
  const alt = photoAlt(photo, n);
  const sha = typeof photo["sha256"] === "string" ? photo["sha256"] : "";
  return (
    <li class="sup-photo">
      <figure>
        {verified && !broken ? (
          <img class="sup-thumb" src={photo.urls.thumb} alt={alt} loading="lazy" decoding="async" onError={() => setBroken(true)} />
        ) : (
          <div class="thumb placeholder sup-thumb-missing">
            {verified ? "No thumbnail: open the original" : `Photo ${UPLOAD_WORDS[status] ?? status}`}
          </div>
        )}
        <figcaption>
          <span class="sup-photo-title">
            Photo {n}: {photo["category"] ? optionLabel(PHOTO_CATEGORIES, photo["category"]) : "Uncategorised"}
          </span>
          {typeof photo["caption"] === "string" && photo["caption"].trim() && <span>{photo["caption"]}</span>}
          <span class="muted">
            {photo["taken_at"] ? `Taken ${formatDateTime(String(photo["taken_at"]))}` : "Time not recorded"}
            {photo["byte_size"] ? `, ${displayValue("photos", "byte_size", photo["byte_size"])}` : ""}
            {`, ${UPLOAD_WORDS[status] ?? status}`}
            {photo["upload.message"] ? ` (${String(photo["upload.message"])})` : ""}
          </span>
          {sha && (
            <span class="sup-sha">
              SHA-256 <code>{sha}</code>
            </span>
          )}
          {verified && (
            <span class="sup-photo-links">
              <a href={photo.urls.display} target="_blank" rel="noopener">
                Display copy<span class="visually-hidden"> of photo {n} (opens in a new tab)</span>
              </a>
              <a href={photo.urls.original} target="_blank" rel="noopener">
                Original<span class="visually-hidden"> of photo {n} (opens in a new tab)</span>
              </a>
            </span>
          )}
        </figcaption>
      </figure>
    </li>
  );
}

export function PhotoGallery({ photos }: { photos: PhotoRecord[] }) {
  if (photos.length === 0) return <p class="muted">No photos.</p>;
  return (
    <ul class="sup-gallery">
      {photos.map((p, i) => (
        <Photo key={p.id} photo={p} n={i + 1} />
      ))}
    </ul>
  );
}
