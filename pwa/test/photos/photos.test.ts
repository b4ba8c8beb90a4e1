import { createHash } from "node:crypto";

import { describe, expect, it } from "vitest";

import { addPhoto } from "../../src/photos/capture";
import { CHUNK_SIZE, PhotoUploader } from "../../src/photos/upload";
import { photoFingerprint, type Store } from "../../src/storage";
import { VISIT, freshStore } from "../helpers/store";

/** A tus 1.0.0 server (creation + checksum) in memory, with a cut after some chunks. */
class FakeTus {
  uploads = new Map<string, { length: number; offset: number; bytes: Uint8Array[]; meta: Record<string, string> }>();
  log: string[] = [];
  cutAfterPatches = Infinity;
  patches = 0;
  checksums: string[] = [];

  fetch = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const method = init.method ?? "GET";
    const h = new Headers(init.headers);
    const path = new URL(url, "http://localhost").pathname;
    this.log.push(`${method} ${path}`);
    if (h.get("Tus-Resumable") !== "1.0.0") return new Response(null, { status: 412 });
    if (method === "POST" && path === "/api/uploads") {
      const meta: Record<string, string> = {};
      for (const pair of (h.get("Upload-Metadata") ?? "").split(",")) {
        const [k, v] = pair.trim().split(" ");
        if (k) meta[k] = Buffer.from(v ?? "", "base64").toString("utf8");
      }
      const id = `u${this.uploads.size + 1}`;
      this.uploads.set(id, { length: Number(h.get("Upload-Length")), offset: 0, bytes: [], meta });
      return new Response(null, { status: 201, headers: { Location: `/api/uploads/${id}`, "Tus-Resumable": "1.0.0", "Upload-Offset": "0" } });
    }
    const up = this.uploads.get(path.split("/").pop() ?? "");
    if (!up) return new Response(null, { status: 404, headers: { "Tus-Resumable": "1.0.0" } });
    if (method === "HEAD") {
      return new Response(null, { status: 200, headers: { "Upload-Offset": String(up.offset), "Upload-Length": String(up.length), "Tus-Resumable": "1.0.0" } });
    }
    if (method === "PATCH") {
      if (this.patches >= this.cutAfterPatches) throw new TypeError("network cut");
      this.patches += 1;
      if (Number(h.get("Upload-Offset")) !== up.offset) return new Response(null, { status: 409 });
      const body = new Uint8Array(await (init.body as Blob).arrayBuffer());
      const checksum = h.get("Upload-Checksum") ?? "";
      this.checksums.push(checksum);
      const expected = `sha256 ${createHash("sha256").update(body).digest("base64")}`;
      if (checksum !== expected) return new Response(null, { status: 460 });
      up.bytes.push(body);
      up.offset += body.length;
      return new Response(null, { status: 204, headers: { "Upload-Offset": String(up.offset), "Tus-Resumable": "1.0.0" } });
    }
    return new Response(null, { status: 405 });
  };

  whole(id: string): Buffer {
    return Buffer.concat((this.uploads.get(id)?.bytes ?? []).map((b) => Buffer.from(b)));
  }
}

async function photoOnServer(store: Store, id: string): Promise<void> {
  await store.feed.apply({ cursor: "eyJuIjoxLCJ2IjoxfQ", has_more: false, last_seq: 0, changes: [
    { collection: "photos", id, rev: 1, deleted: false, record: { visit_id: VISIT, "upload.status": "pending" }, conflicts: [] },
  ] });
}

function bytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(n));
  for (let i = 0; i < n; i += 1) out[i] = (i * 31 + 7) % 251;
  return out;
}

describe("photos", () => {
  it("stores the original, hashes it on the device and queues its metadata", async () => {
    const store = await freshStore();
    const data = bytes(5000);
    const id = await addPhoto(store, new File([data], "p.jpg", { type: "image/jpeg", lastModified: Date.parse("2024-05-01T10:00:00Z") }), VISIT, "damage", null);
    const sha = createHash("sha256").update(data).digest("hex");
    const entry = (await store.outbox.list())[0];
    expect(entry?.collection).toBe("photos");
    expect(entry?.fields).toEqual({ visit_id: VISIT, category: "damage", caption: null, taken_at: "2024-05-01T10:00:00.000Z", byte_size: 5000, sha256: sha, content_type: "image/jpeg" });
    const local = await store.photos.get(id);
    expect(local?.sha256).toBe(sha);
    expect(Buffer.from(await (local?.blob as Blob).arrayBuffer()).equals(Buffer.from(data))).toBe(true);
    await expect(addPhoto(store, new Blob([data], { type: "text/plain" }), VISIT, "damage", null)).rejects.toThrow(/JPEG/);
  });

  it("uploads in 1 MiB chunks with a sha256 checksum each, and resumes after a cut and a reload", async () => {
    const store = await freshStore();
    const data = bytes(2 * CHUNK_SIZE + 12345);
    const id = await addPhoto(store, new Blob([data], { type: "image/jpeg" }), VISIT, "scene_overview", "front");
    // Nothing is sent before the server has the photo's metadata.
    const tus = new FakeTus();
    await new PhotoUploader(store, tus.fetch, () => undefined, [0]).run();
    expect(tus.log).toEqual([]);
    await photoOnServer(store, id);

    tus.cutAfterPatches = 1;
    await expect(new PhotoUploader(store, tus.fetch, () => undefined, [0]).run()).rejects.toThrow();
    expect(tus.uploads.get("u1")?.offset).toBe(CHUNK_SIZE);
    expect((await store.tus.find(photoFingerprint(id)))[0]?.uploadUrl).toBe("/api/uploads/u1");
    expect((await store.photos.get(id))?.upload_state).toBe("waiting");

    // "Reload": a new uploader finds the stored URL, asks the offset and goes on from there.
    tus.cutAfterPatches = Infinity;
    tus.log = [];
    await new PhotoUploader(store, tus.fetch, () => undefined, [0]).run();
    expect(tus.log[0]).toBe("HEAD /api/uploads/u1");
    expect(tus.log.filter((l) => l.startsWith("POST"))).toEqual([]);
    expect(tus.whole("u1").equals(Buffer.from(data))).toBe(true);
    expect(tus.uploads.get("u1")?.meta).toEqual({ photo_id: id, visit_id: VISIT, sha256: createHash("sha256").update(data).digest("hex"), content_type: "image/jpeg" });
    expect(tus.checksums.every((c) => c.startsWith("sha256 "))).toBe(true);
    expect((await store.photos.get(id))?.upload_state).toBe("uploaded");

    // The blob stays until a pull says the server verified it.
    await store.feed.apply({ cursor: "eyJuIjoyLCJ2IjoxfQ", has_more: false, last_seq: 0, changes: [
      { collection: "photos", id, rev: 2, deleted: false, record: { visit_id: VISIT, "upload.status": "uploading" }, conflicts: [] },
    ] });
    expect(await store.photos.get(id)).toBeDefined();
    await store.feed.apply({ cursor: "eyJuIjozLCJ2IjoxfQ", has_more: false, last_seq: 0, changes: [
      { collection: "photos", id, rev: 3, deleted: false, record: { visit_id: VISIT, "upload.status": "verified" }, conflicts: [] },
    ] });
    expect(await store.photos.get(id)).toBeUndefined();
    expect(await store.tus.find(photoFingerprint(id))).toEqual([]);
  });
});
