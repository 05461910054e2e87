import { sanitizeJsonNumbers, type Endpoint } from './endpoint';
import { DEFAULTS } from '../options';

/** An HTTP status the server answered with, kept for deciding whether to retry or fail over. */
export class HttpStatusError extends Error {
  override name = 'HttpStatusError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const RETRYABLE = new Set([408, 409, 429, 500, 502, 503, 504]);

/** Delay before retry `attempt` (0-based): Retry-After when the server gave one, else exponential backoff with full jitter. */
export function retryDelayMs(attempt: number, retryAfter: string | null | undefined, random = Math.random): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 60_000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.min(Math.max(0, date - Date.now()), 60_000);
  }
  const cap = Math.min(8000, 500 * 2 ** attempt);
  return cap / 2 + random() * (cap / 2);
}

/**
 * POSTs JSON to a server route outside the OpenAI API (`/tokenize`, SGLang and TGI `/generate`),
 * with the same timeout, bounded retries and backoff as the OpenAI client gives the others.
 */
export async function postJson(
  endpoint: Endpoint,
  url: string,
  body: unknown,
  signal: AbortSignal | undefined,
  retries = endpoint.maxRetries ?? DEFAULTS.retries,
  onAttempt?: () => void,
): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    onAttempt?.();
    try {
      const timeout = AbortSignal.timeout(endpoint.timeoutMs ?? DEFAULTS.requestTimeoutSeconds * 1000);
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}) },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      signal?.throwIfAborted();
      if (attempt >= retries) throw err;
      await sleep(retryDelayMs(attempt, undefined), signal);
      continue;
    }
    if (res.ok) {
      // a body cut short (a dropped connection, a proxy closing early) is retried; the last one is the error
      let failure: Error;
      try {
        return JSON.parse(sanitizeJsonNumbers(await res.text()));
      } catch (err) {
        signal?.throwIfAborted();
        failure = new Error(`${new URL(url).pathname} answered with a reply cut short or not JSON (${(err as Error).message})`);
      }
      if (attempt >= retries) throw failure;
      await sleep(retryDelayMs(attempt, undefined), signal);
      continue;
    }
    const detail = await res.text().catch(() => '');
    if (RETRYABLE.has(res.status) && attempt < retries) {
      await sleep(retryDelayMs(attempt, res.headers.get('retry-after')), signal);
      continue;
    }
    throw new HttpStatusError(res.status, `${new URL(url).pathname} answered HTTP ${res.status} ${errorMessage(detail)}`.trim());
  }
}

function errorMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { message?: unknown; error?: { message?: unknown } | string; detail?: unknown };
    const m = typeof j.error === 'string' ? j.error : (j.error?.message ?? j.message ?? j.detail);
    if (typeof m === 'string') return m;
  } catch {
    // not JSON
  }
  return body.slice(0, 200);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}
