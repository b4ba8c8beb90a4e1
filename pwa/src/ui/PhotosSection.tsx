import { useState } from "preact/hooks";

import { PHOTO_CATEGORIES } from "../model/fields";
import type { SectionProps } from "./sectionProps";
import { useApp } from "./hooks";
import { PhotoCard } from "./PhotoCard";

export function PhotosSection({ visit, children, locked }: SectionProps) {
  const app = useApp();
  const [category, setCategory] = useState("scene_overview");
  const [message, setMessage] = useState<string | null>(null);
  const photos = children
    .filter((c) => c.collection === "photos")
    .sort((a, b) => String(a.fields["taken_at"] ?? "").localeCompare(String(b.fields["taken_at"] ?? "")));

  const onFiles = async (input: HTMLInputElement) => {
    const files = [...(input.files ?? [])];
    input.value = "";
    for (const file of files) {
      try {
        setMessage("Saving photo…");
        await app.addPhoto(file, visit.id, category, null);
        setMessage("Photo saved on this phone.");
      } catch (exc) {
        setMessage(exc instanceof Error ? exc.message : String(exc));
      }
    }
  };

  return (
    <>
      {!locked && (
        <div class="take-photo">
          <div class="field">
            <label for="photo-category">Category for the next photo</label>
            <select id="photo-category" value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
              {PHOTO_CATEGORIES.map(([v, l]) => (
                <option key={v} value={v}>{l}</option>
              ))}
            </select>
          </div>
          <label class="button file-button" for="photo-input">Take photo</label>
          <input
            id="photo-input"
            class="visually-hidden"
            type="file"
            accept="image/*"
            capture="environment"
            multiple
            onChange={(e) => void onFiles(e.currentTarget)}
          />
          {message && <p role="status" class="note">{message}</p>}
        </div>
      )}
      {photos.length === 0 && <p class="muted">No photos yet.</p>}
      {photos.map((p, i) => (
        <PhotoCard key={p.id} photo={p} index={i} visitId={visit.id} locked={locked} />
      ))}
    </>
  );
}
