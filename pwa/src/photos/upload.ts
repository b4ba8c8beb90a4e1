/**
 * Photo bytes go by tus (tus-js-client, 1 MiB chunks, each PATCH carrying `Upload-Checksum:
 * sha256 ...`), once the server has the photo's `photos` mutation (capture.ts). The upload URL
 * is kept in IndexedDB so an upload resumes after a reload or a cut. The local blob is deleted
 * only when a pull says `upload.status == "verified"` (Feed.apply).
 */

import { Upload, type HttpRequest, type HttpResponse, type HttpStack, type PreviousUpload } from "tus-js-client";

import { ApiError, NetworkError, errorFromResponse, type FetchLike } from "../api";
import { photoFingerprint, type Store } from "../storage";
import { sha256Bytes } from "./capture";
import type { PhotoBlobEntry, TusUrlRecord } from "../model/types";

export const CHUNK_SIZE = 1024 * 1024;
export const UPLOAD_ENDPOINT = "/api/uploads";

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** tus-js-client's HttpStack over fetch, adding the checksum extension header to every PATCH. */
export class ChecksumFetchStack implements HttpStack {
  constructor(private readonly fetchFn: FetchLike) {}
  getName(): string {
    return "doorstep-fetch";
  }
  createRequest(method: string, url: string): HttpRequest {
    return new FetchRequest(this.fetchFn, method, url);
  }
}

class FetchRequest implements HttpRequest {
  private headers: Record<string, string> = {};
  private controller = typeof AbortController === "undefined" ? null : new AbortController();
  constructor(
    private readonly fetchFn: FetchLike,
    private readonly method: string,
    private readonly url: string,
  ) {}
  getMethod(): string {
    return this.method;
  }
  getURL(): string {
    return this.url;
  }
  setHeader(header: string, value: string): void {
    this.headers[header] = value;
  }
  getHeader(header: string): string | undefined {
    return this.headers[header];
  }
  setProgressHandler(): void {
    // fetch has no upload progress; progress is reported per chunk.
  }
  async send(body: unknown): Promise<HttpResponse> {
    let payload: Blob | undefined;
    if (body !== null && body !== undefined) {
      payload = body instanceof Blob ? body : new Blob([body as ArrayBuffer]);
      if (this.method === "PATCH") {
        const digest = await sha256Bytes(await payload.arrayBuffer());
        this.headers["Upload-Checksum"] = `sha256 ${toBase64(digest)}`;
      }
    }
    const init: RequestInit = { method: this.method, headers: this.headers, credentials: "same-origin", cache: "no-store" };
    if (payload !== undefined) init.body = payload;
    if (this.controller) init.signal = this.controller.signal;
    const res = await this.fetchFn(this.url, init);
    const text = await res.text();
    return {
      getStatus: () => res.status,
      getHeader: (h: string) => res.headers.get(h) ?? undefined,
      getBody: () => text,
      getUnderlyingObject: () => res,
    };
  }
  async abort(): Promise<void> {
    this.controller?.abort();
  }
  getUnderlyingObject(): unknown {
    return null;
  }
}

/** Reads chunks straight from the Blob (the same in the browser and in tests). */
const blobReader = {
  async openFile(input: Blob) {
    return {
      size: input.size,
      async slice(start: number, end: number) {
        return { value: input.slice(start, end), done: end >= input.size };
      },
      close() {},
    };
  },
};

/** tus-js-client's UrlStorage kept in IndexedDB, so an upload resumes after a reload. */
export function urlStorageFor(store: Store) {
  const toPrevious = (r: TusUrlRecord): PreviousUpload => ({
    size: r.size, metadata: r.metadata, creationTime: r.creationTime, urlStorageKey: r.key, uploadUrl: r.uploadUrl, parallelUploadUrls: r.parallelUploadUrls,
  });
  return {
    async findAllUploads() {
      return (await store.tus.find()).map(toPrevious);
    },
    async findUploadsByFingerprint(fingerprint: string) {
      return (await store.tus.find(fingerprint)).map(toPrevious);
    },
    async removeUpload(key: string) {
      await store.tus.remove(key);
    },
    async addUpload(fingerprint: string, upload: PreviousUpload) {
      const key = `${fingerprint}::${crypto.randomUUID()}`;
      await store.tus.add({
        key, fingerprint, size: upload.size, metadata: upload.metadata, creationTime: upload.creationTime,
        urlStorageKey: key, uploadUrl: upload.uploadUrl, parallelUploadUrls: upload.parallelUploadUrls,
      });
      return key;
    },
  };
}

interface DetailedErrorLike extends Error {
  originalResponse?: HttpResponse | null;
}

async function asApiError(err: DetailedErrorLike): Promise<Error> {
  const res = err.originalResponse;
  if (!res) return new NetworkError(err.message);
  const status = res.getStatus();
  const body = res.getBody();
  const headers = new Headers();
  const retry = res.getHeader("Retry-After");
  if (retry) headers.set("Retry-After", retry);
  return errorFromResponse(new Response(body || null, { status: status === 0 ? 502 : status, headers }));
}

const RETRY_STATUSES = new Set([409, 423, 429, 460]);

export class PhotoUploader {
  private running = false;
  constructor(
    private readonly store: Store,
    private readonly fetchFn: FetchLike,
    private readonly onProgress: () => void = () => undefined,
    /** tus-js-client's own quick retries within one run (the sync client backs off beyond). */
    private readonly retryDelays: number[] = [0, 1000, 3000],
  ) {}

  /** Send every photo whose metadata the server has and whose bytes it has not verified. */
  async run(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let finished = 0;
    try {
      for (const photo of await this.store.photos.states()) {
        const server = await this.store.records.serverCopy("photos", photo.id);
        if (!server || server.deleted) continue; // the metadata is not on the server yet
        const status = server.record["upload.status"];
        if (status === "verified") continue;
        if (photo.upload_state === "uploaded" && status !== "failed") continue; // awaiting verification
        if (status === "failed" && photo.upload_state === "uploaded") {
          // The whole file did not match: start a fresh upload of the same original.
          for (const r of await this.store.tus.find(photoFingerprint(photo.id))) await this.store.tus.remove(r.key);
        }
        if (photo.upload_state === "failed" && photo.attempts >= 5) continue; // shown in "Needs attention"
        try {
          await this.uploadOne(photo.id);
          finished += 1;
        } catch (exc) {
          // One photo the server refuses (kept as failed, shown to the officer) does not stop the
          // others; no connection, a busy server or an expired session stops the run.
          if (exc instanceof ApiError && !exc.retryable && exc.status !== 401) continue;
          throw exc;
        }
      }
    } finally {
      this.running = false;
    }
    return finished;
  }

  private async uploadOne(id: string): Promise<void> {
    const photo = (await this.store.photos.get(id)) as PhotoBlobEntry;
    await this.store.photos.update(id, { upload_state: "uploading", upload_error: null, attempts: photo.attempts + 1 });
    this.onProgress();
    try {
      await new Promise<void>((resolve, reject) => {
        const upload = new Upload(photo.blob, {
          endpoint: UPLOAD_ENDPOINT,
          chunkSize: CHUNK_SIZE,
          retryDelays: this.retryDelays,
          metadata: { photo_id: photo.id, visit_id: photo.visit_id, sha256: photo.sha256, content_type: photo.content_type },
          uploadSize: photo.byte_size,
          fingerprint: async () => photoFingerprint(photo.id),
          urlStorage: urlStorageFor(this.store),
          httpStack: new ChecksumFetchStack(this.fetchFn),
          fileReader: blobReader as never,
          storeFingerprintForResuming: true,
          removeFingerprintOnSuccess: false,
          onShouldRetry: (err) => {
            const s = err.originalResponse?.getStatus() ?? 0;
            return s === 0 || s >= 500 || RETRY_STATUSES.has(s);
          },
          onChunkComplete: (_size, accepted) => {
            void this.store.photos.update(id, { upload_offset: accepted }).then(this.onProgress);
          },
          onSuccess: () => resolve(),
          onError: (err) => reject(err),
        });
        upload
          .findPreviousUploads()
          .then((previous) => {
            const last = previous[previous.length - 1];
            if (last) upload.resumeFromPreviousUpload(last);
            upload.start();
          })
          .catch(reject);
      });
      await this.store.photos.update(id, { upload_state: "uploaded", upload_offset: photo.byte_size, upload_error: null });
    } catch (exc) {
      const error = exc instanceof Error && "originalResponse" in exc ? await asApiError(exc as DetailedErrorLike) : exc;
      const message = error instanceof Error ? error.message : String(error);
      await this.store.photos.update(id, {
        upload_state: error instanceof ApiError && !error.retryable && error.status !== 401 ? "failed" : "waiting",
        upload_error: message,
      });
      throw error;
    } finally {
      this.onProgress();
    }
  }
}
