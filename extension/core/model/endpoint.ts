import OpenAI from 'openai';
import { DEFAULTS } from '../options';

/** One OpenAI-compatible server, as configured by the user. */
export interface Endpoint {
  /** e.g. `http://127.0.0.1:8000/v1` */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Per request, ms. */
  timeoutMs?: number;
  /** Retries on 408/409/429/5xx and connection errors, with backoff honouring Retry-After. */
  maxRetries?: number;
}

/** `onAttempt` counts every HTTP attempt, retries included, so a run can report them. */
export function createClient(endpoint: Endpoint, onAttempt?: () => void): OpenAI {
  return new OpenAI({
    baseURL: endpoint.baseUrl.replace(/\/+$/, ''),
    // Local servers need no key, but the client insists on one.
    apiKey: endpoint.apiKey || 'none',
    timeout: endpoint.timeoutMs ?? DEFAULTS.requestTimeoutSeconds * 1000,
    maxRetries: endpoint.maxRetries ?? DEFAULTS.retries,
    fetch: (url, init) => {
      onAttempt?.();
      return tolerantFetch(url, init);
    },
  });
}

/**
 * Python servers may write `NaN` and `-Infinity` as bare JSON numbers (invalid JSON): they become
 * `null`, which the certainty maths floors like any missing log-probability.
 */
export function sanitizeJsonNumbers(text: string): string {
  return /NaN|Infinity/.test(text) ? text.replace(/([:,[]\s*)(?:-?Infinity|NaN)(?=\s*[,\]}])/g, '$1null') : text;
}

/**
 * vLLM (older releases), SGLang and FastAPI put an error's message at the top level of the body
 * (`{"message": ...}` or `{"detail": ...}`); the client reads only `{"error": {...}}` and would
 * report "(no body)". Error bodies are rewrapped so the user sees the server's own words.
 */
async function tolerantFetch(url: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await fetch(url, init);
  if (res.ok) {
    if (!(res.headers.get('content-type') ?? '').includes('application/json')) return res;
    const body = sanitizeJsonNumbers(await res.text());
    // thrown from fetch, a reply cut short is retried like a dropped connection
    try {
      JSON.parse(body);
    } catch (err) {
      throw new TruncatedReplyError(`the reply was cut short or is not JSON (${(err as Error).message}; ${body.length} characters)`);
    }
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    return new Response(body, { status: res.status, statusText: res.statusText, headers });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  let out = text;
  if (body && typeof body === 'object' && !('error' in body)) {
    const flat = body as { message?: unknown; detail?: unknown };
    const message = typeof flat.message === 'string' ? flat.message : typeof flat.detail === 'string' ? flat.detail : text;
    out = JSON.stringify({ error: { ...flat, message } });
  }
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(out, { status: res.status, statusText: res.statusText, headers });
}

/** A successful status with a body that is not whole JSON: a proxy or server closed the reply early. */
export class TruncatedReplyError extends Error {
  override name = 'TruncatedReplyError';
}

/** vLLM and SGLang serve `/tokenize` at the server root, beside `/v1`. */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/**
 * Whether a failed request says something about the server (down, overloaded, timing out) rather
 * than about the request: such failures move the work to another endpoint.
 */
export function isEndpointFailure(err: unknown): boolean {
  if (err instanceof OpenAI.APIConnectionError) return true; // includes timeouts
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number') return status === 408 || status === 429 || status >= 500;
  const name = (err as Error)?.name;
  return name === 'TypeError' || name === 'TimeoutError' || name === 'FetchError';
}

/** A one-line description of a failed request that names the server, the request and the cause, never the key. */
export function describeError(endpoint: Endpoint, err: unknown, request?: string): string {
  const where = `${endpoint.baseUrl} (model ${endpoint.model})${request ? `, ${request}` : ''}`;
  let message: string;
  if (err instanceof OpenAI.APIConnectionError) {
    const cause = (err as { cause?: unknown }).cause;
    message =
      cause instanceof Error && !/^(fetch failed|terminated)$/.test(cause.message)
        ? `${err.message.replace(/\.$/, '')}: ${oneLine(cause.message)}`
        : `${err.message.replace(/\.$/, '')}: ${rootCause(err)}`;
  } else if (err instanceof OpenAI.APIError) {
    // the client's own message starts with the status already ("404 status code (no body)")
    const detail = ((err.error as { message?: string } | undefined)?.message ?? err.message).replace(new RegExp(`^${err.status ?? '-'}\\s+`), '');
    message = `HTTP ${err.status ?? '-'} ${oneLine(detail)}`;
  } else {
    message = oneLine((err as Error)?.message ?? String(err));
  }
  // A server may repeat the key it was sent (e.g. "invalid api key sk-..."): it never goes further.
  return `${where}: ${endpoint.apiKey ? message.split(endpoint.apiKey).join('***') : message}`;
}

/** Why a request failed, when the reason is the server's address, key or model rather than what it can do. */
export type ServerProblem =
  { kind: 'unreachable'; cause: string } | { kind: 'unauthorized'; status: number } | { kind: 'not-found'; modelNamed: boolean; detail: string };

export function serverProblem(err: unknown): ServerProblem | undefined {
  const status = (err as { status?: unknown })?.status;
  if (status === 401 || status === 403) return { kind: 'unauthorized', status };
  if (status === 404) {
    const detail = oneLine(
      err instanceof OpenAI.APIError ? ((err.error as { message?: string } | undefined)?.message ?? err.message) : ((err as Error).message ?? ''),
    );
    return { kind: 'not-found', modelNamed: /\bmodel\b/i.test(detail), detail };
  }
  if (typeof status === 'number') return undefined;
  const name = (err as Error)?.name;
  if ((err as { cause?: unknown })?.cause instanceof TruncatedReplyError || err instanceof TruncatedReplyError) return undefined;
  if (err instanceof OpenAI.APIConnectionError || name === 'TypeError' || name === 'TimeoutError' || name === 'AbortError')
    return { kind: 'unreachable', cause: rootCause(err) };
  return undefined;
}

/** The innermost cause of a connection failure in words: `connection refused`, `host not found`, `timed out`, a TLS error. */
function rootCause(err: unknown): string {
  let e = err as { cause?: unknown; code?: unknown; message?: unknown; name?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
    if (code === 'ECONNRESET') return 'connection reset';
    if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'timed out';
    if (code && /CERT|SSL|TLS/.test(code)) return `TLS error (${code})`;
    if (e.name === 'TimeoutError' || e.name === 'APIConnectionTimeoutError') return 'timed out';
    if (!e.cause) return oneLine(String(e.message ?? code ?? 'no answer'));
    e = e.cause as typeof e;
  }
  return 'no answer';
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? line.slice(0, 297) + '...' : line;
}
