/**
 * Talking to the server: JSON over same-origin fetch, every error turned into an ApiError
 * carrying the API's {"error": {code, message, details}} and any Retry-After.
 */

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Worth trying again later with the same request. */
  get retryable(): boolean {
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** The request never got an answer (offline, DNS, connection cut, timeout). */
export class NetworkError extends Error {
  constructor(message = "No connection") {
    super(message);
    this.name = "NetworkError";
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export async function errorFromResponse(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = res.statusText || `HTTP ${res.status}`;
  let details: Record<string, unknown> = {};
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string; details?: Record<string, unknown> } };
    if (body && typeof body.error === "object" && body.error) {
      code = body.error.code ?? code;
      message = body.error.message ?? message;
      details = body.error.details ?? {};
    }
  } catch {
    // not JSON: keep the status
  }
  return new ApiError(res.status, code, message, details, parseRetryAfter(res.headers.get("Retry-After")));
}

/** gzip a UTF-8 string with CompressionStream, or null where the browser cannot. */
export async function gzip(text: string): Promise<Uint8Array | null> {
  if (typeof CompressionStream === "undefined") return null;
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Compress the JSON body (Content-Encoding: gzip). */
  compress?: boolean;
  timeoutMs?: number;
}

export class Api {
  constructor(private readonly fetchFn: FetchLike) {}

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    let body: BodyInit | undefined;
    if (options.body !== undefined) {
      const text = JSON.stringify(options.body);
      headers["Content-Type"] = "application/json";
      const packed = options.compress ? await gzip(text) : null;
      if (packed) {
        headers["Content-Encoding"] = "gzip";
        body = packed as unknown as BodyInit;
      } else {
        body = text;
      }
    }
    const controller = typeof AbortController === "undefined" ? null : new AbortController();
    const timer = controller ? setTimeout(() => controller.abort(), options.timeoutMs ?? 60_000) : null;
    let res: Response;
    try {
      const init: RequestInit = {
        method: options.method ?? (body === undefined ? "GET" : "POST"),
        headers,
        credentials: "same-origin",
        cache: "no-store",
      };
      if (body !== undefined) init.body = body;
      if (controller) init.signal = controller.signal;
      res = await this.fetchFn(path, init);
    } catch (exc) {
      throw new NetworkError(exc instanceof Error ? exc.message : String(exc));
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (!res.ok) throw await errorFromResponse(res);
    try {
      return (await res.json()) as T;
    } catch (exc) {
      // The answer was cut: the same as no answer (a push is then simply sent again).
      throw new NetworkError(exc instanceof Error ? exc.message : "Truncated response");
    }
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>(path);
  }

  post<T>(path: string, body: unknown, compress = false): Promise<T> {
    return this.request<T>(path, { method: "POST", body, compress });
  }
}
