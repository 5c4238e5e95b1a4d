/**
 * The remote runtime's HTTP client (global `fetch` only, no `node:` module): one request with a
 * timeout and the caller's abort signal, retries with exponential backoff for the idempotent GETs,
 * and for a POST only when the server said it ran nothing (429/503 with Retry-After). Every failure
 * is a VaekitError: `io-error` (unreachable, timed out), `remote-error` (an HTTP error status, with
 * the server's `{"error"}` message, or a body over the request's `maxBytes`), `aborted` (the
 * caller's signal). Bodies are read through a stream reader with a bound, never whole and unbounded.
 */
import { VaekitError } from '../errors.js';
import { abortedError, throwIfAborted } from './abort.js';

export interface HttpSettings {
  fetch: typeof globalThis.fetch;
  headers: Record<string, string>;
  /** Per request, body included; 0: none. */
  timeoutMs: number;
  /** Extra attempts after the first. */
  retries: number;
  /** Backoff before retry i (0-based): backoffMs · 2^i. */
  backoffMs: number;
  signal?: AbortSignal;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Most bytes of a successful response's body: a larger one is refused (`remote-error`) unread. */
  maxBytes: number;
}

export interface HttpResponse {
  headers: Headers;
  bytes: Uint8Array;
}

/** Most seconds of a Retry-After the client waits for. */
const MAX_RETRY_AFTER_S = 30;

/** Most bytes of an error response read: its message is the first 2000 (serverMessage). */
const ERROR_BODY_BYTES = 64 * 1024;

/** Statuses a GET is retried on: the server or a proxy in front of it may answer the next one. */
const TRANSIENT = new Set([408, 429, 500, 502, 503, 504]);

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(signal, 'while waiting to retry'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(signal!, 'while waiting to retry'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** The server's `{"error": "…"}` message, else the start of the body as text. */
function serverMessage(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, 2000));
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  return text.trim().slice(0, 300) || '(empty body)';
}

/** Seconds of a Retry-After header (delta-seconds or an HTTP date), or null. */
function retryAfter(headers: Headers): number | null {
  const value = headers.get('retry-after');
  if (value === null) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

/** Thrown (never retried) for a body over its limit. */
function tooLarge(where: string, limit: number, found: string): VaekitError {
  return new VaekitError('remote-error', `${where} answered a body of ${found}; the limit for this response is ${limit} bytes: the server sent more than the request can need (a wrong server or model behind this URL?)`);
}

/**
 * The response body, at most `limit` bytes, read chunk by chunk so that a larger (or endless) one
 * is never held whole: over the limit, the rest is cancelled and `remote-error` thrown, or with
 * `truncate` the first `limit` bytes are kept (an error's message).
 */
async function readBody(response: Response, limit: number, where: string, truncate: boolean): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (!truncate && declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(where, limit, `${declared} bytes (Content-Length)`);
  }
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      if (!truncate) throw tooLarge(where, limit, `more than ${limit} bytes (${total} read before the rest was refused)`);
      chunks.push(value.subarray(0, value.length - (total - limit)));
      total = limit;
      break;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

type Attempt = { ok: true; response: HttpResponse } | { ok: false; error: VaekitError; retryAfterS: number | null; transient: boolean };

async function attempt(request: HttpRequest, settings: HttpSettings): Promise<Attempt> {
  const { signal, timeoutMs } = settings;
  const where = `${request.method} ${request.url}`;
  throwIfAborted(signal, `before ${where}`);
  const controller = new AbortController();
  let timedOut = false;
  const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), controller.abort()), timeoutMs) : undefined;
  const onAbort = () => controller.abort(signal!.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const failed = (cause: unknown): Attempt => {
    if (signal?.aborted) throw abortedError(signal, `during ${where}`);
    if (timedOut) return { ok: false, error: new VaekitError('io-error', `${where} timed out after ${timeoutMs} ms (timeoutMs)`, { cause }), retryAfterS: null, transient: true };
    // undici says "fetch failed" and puts the reason (ECONNREFUSED, …) in `cause`.
    const error = cause instanceof Error ? cause : new Error(String(cause));
    const reason = error.message === 'fetch failed' && error.cause instanceof Error ? error.cause.message : error.message;
    return { ok: false, error: new VaekitError('io-error', `${where} failed: could not reach the server: ${reason}`, { cause }), retryAfterS: null, transient: true };
  };
  try {
    const fetchFunction = settings.fetch;
    let response: Response;
    try {
      response = await fetchFunction(request.url, {
        method: request.method,
        headers: { ...settings.headers, ...request.headers },
        ...(request.body !== undefined ? { body: request.body as BodyInit } : {}),
        signal: controller.signal,
      });
    } catch (cause) {
      return failed(cause);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBody(response, response.ok ? request.maxBytes : ERROR_BODY_BYTES, where, !response.ok);
    } catch (cause) {
      if (cause instanceof VaekitError) throw cause;
      return failed(cause);
    }
    if (response.ok) return { ok: true, response: { headers: response.headers, bytes } };
    const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    const error = new VaekitError('remote-error', `${where} answered HTTP ${status}: ${serverMessage(bytes)}`, { status: response.status });
    return { ok: false, error, retryAfterS: retryAfter(response.headers), transient: TRANSIENT.has(response.status) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Sends `request`. A GET is retried (up to `settings.retries` times, backing off exponentially, or
 * as Retry-After says) when the server cannot be reached, times out, or answers 408/429/5xx; a
 * POST only on 429 or 503 with Retry-After: the server refused it before running anything.
 */
export async function send(request: HttpRequest, settings: HttpSettings): Promise<HttpResponse> {
  for (let i = 0; ; i++) {
    const result = await attempt(request, settings);
    if (result.ok) return result.response;
    const { error, retryAfterS, transient } = result;
    const status = error.status;
    const retriable = request.method === 'GET' ? transient : (status === 429 || status === 503) && retryAfterS !== null;
    if (!retriable || i >= settings.retries || (retryAfterS !== null && retryAfterS > MAX_RETRY_AFTER_S)) {
      if (i > 0) error.message += ` (after ${i + 1} attempts)`;
      throw error;
    }
    await sleep(retryAfterS !== null ? retryAfterS * 1000 : settings.backoffMs * 2 ** i, settings.signal);
  }
}

/** `send`, then the body as JSON (`remote-error` when it is not). */
export async function sendJson(request: HttpRequest, settings: HttpSettings): Promise<unknown> {
  const { bytes } = await send(request, settings);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new VaekitError('remote-error', `${request.method} ${request.url} answered a body that is not JSON: ${(cause as Error).message}`, { cause });
  }
}
