// A test server on 127.0.0.1 that speaks vLLM's OpenAI-compatible wire format as documented:
// /v1/completions with echo + logprobs (first entry null, top_logprobs maps with the actual token,
// list prompts, token-id prompts, -9999.0 for -inf, prompt_logprobs), /tokenize, /v1/models and
// streaming /v1/chat/completions. Its log-probabilities come from a cache language model.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { scoreTokens, tokenizeText } from './cacheLanguageModel';

export type Fault =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | 'hang'
  | 'reset'
  | 'ignore-echo';

export interface ScoringServerOptions {
  model?: string;
  maxModelLen?: number;
  maxLogprobs?: number;
  /** Tokens whose text matches are reported with vLLM's -9999.0 stand-in for -inf. */
  minusInfinityFor?: RegExp;
  /** Per-request fault injection; `n` counts requests to that path from 1. */
  fault?(path: string, n: number): Fault | undefined;
  /** Milliseconds to wait before answering each completions request. */
  delayMs?: number;
  /** Disables `/tokenize` (404), like servers that have none. */
  noTokenize?: boolean;
}

export interface RecordedRequest {
  path: string;
  host: string | undefined;
  authorization: string | undefined;
  body: any;
}

export interface ScoringServer {
  /** Base URL including `/v1`. */
  url: string;
  requests: RecordedRequest[];
  /** Completions prompts received, in order of arrival. */
  promptCount(): number;
  /** Changes the options of a running server (e.g. to slow it down). */
  options: ScoringServerOptions;
  close(): Promise<void>;
}

export async function startScoringServer(options: ScoringServerOptions = {}): Promise<ScoringServer> {
  const model = options.model ?? 'test-model';
  const maxModelLen = options.maxModelLen ?? 8192;
  const maxLogprobs = options.maxLogprobs ?? 20;
  const vocabulary: string[] = ['<unk>'];
  const ids = new Map<string, number>();
  const idOf = (t: string) => {
    let id = ids.get(t);
    if (id === undefined) {
      id = vocabulary.length;
      vocabulary.push(t);
      ids.set(t, id);
    }
    return id;
  };
  const requests: RecordedRequest[] = [];
  const counts = new Map<string, number>();
  let prompts = 0;
  const sockets = new Set<import('node:net').Socket>();

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? '').split('?')[0]!;
    let body: any;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return send(res, 400, { object: 'error', message: 'invalid JSON', type: 'BadRequestError', code: 400 });
    }
    requests.push({ path, host: req.headers.host, authorization: req.headers.authorization, body });
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const fault = options.fault?.(path, n);
    if (fault === 'hang') return; // never answers; the client's timeout or abort must end it
    if (fault === 'reset') return req.socket.destroy();
    if (fault && typeof fault === 'object') return send(res, fault.status, fault.body ?? { object: 'error', message: 'injected fault', code: fault.status }, fault.headers);

    if (path === '/v1/models' && req.method === 'GET') return send(res, 200, { object: 'list', data: [{ id: model, object: 'model', max_model_len: maxModelLen }] });
    if (req.method !== 'POST') return send(res, 404, { detail: 'Not Found' });
    if (path === '/tokenize' && !options.noTokenize) {
      if (body.model !== undefined && body.model !== model) return modelNotFound(res, body.model);
      const tokens = tokenizeText(String(body.prompt ?? '')).map(idOf);
      return send(res, 200, { count: tokens.length, max_model_len: maxModelLen, tokens, token_strs: null });
    }
    if (path === '/v1/completions') {
      if (body.model !== model) return modelNotFound(res, body.model);
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      return completions(res, body, fault === 'ignore-echo');
    }
    if (path === '/v1/chat/completions') {
      if (body.model !== model) return modelNotFound(res, body.model);
      return chat(res, body);
    }
    return send(res, 404, { detail: 'Not Found' });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function completions(res: http.ServerResponse, body: any, ignoreEcho: boolean) {
    const raw = body.prompt;
    const list: (string | number[])[] =
      typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.length > 0 && typeof raw[0] === 'number' ? [raw as number[]] : (raw as (string | number[])[]);
    if (!Array.isArray(list) || list.length === 0) return send(res, 400, { object: 'error', message: 'prompt must be a string or a list', code: 400 });
    const k = body.logprobs ?? null;
    if (k !== null && (k < 0 || k > maxLogprobs)) {
      return send(res, 400, { object: 'error', message: `Requested sample logprobs of ${k}, which is greater than max allowed: ${maxLogprobs}`, type: 'BadRequestError', code: 400 });
    }
    const promptK = body.prompt_logprobs ?? null;
    const choices = [];
    let promptTokens = 0;
    for (const [index, p] of list.entries()) {
      prompts++;
      const tokens = typeof p === 'string' ? tokenizeText(p) : p.map((id) => vocabulary[id] ?? '<unk>');
      if (tokens.length + (body.max_tokens ?? 16) > maxModelLen) {
        return send(res, 400, {
          object: 'error',
          message: `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${tokens.length + (body.max_tokens ?? 16)} tokens.`,
          type: 'BadRequestError',
          code: 400,
        });
      }
      promptTokens += tokens.length;
      // The one generated token is always " the": what matters here is the prompt's log-probs.
      const generated = ' the';
      const all = scoreTokens([...tokens, generated], Math.max(k ?? 0, promptK ?? 0));
      const scoredPrompt = all.slice(0, -1);
      const shown = body.echo && !ignoreEcho ? all : all.slice(-1);
      const shownTokens = body.echo && !ignoreEcho ? [...tokens, generated] : [generated];
      const floorIfInfinite = (t: string, lp: number) => (options.minusInfinityFor?.test(t) ? -9999.0 : lp);
      let offset = body.echo && !ignoreEcho ? 0 : [...tokens.join('')].length;
      const textOffset = shownTokens.map((t) => {
        const o = offset;
        offset += [...t].length;
        return o;
      });
      choices.push({
        index,
        text: (body.echo && !ignoreEcho ? tokens.join('') : '') + generated,
        logprobs:
          k === null
            ? null
            : {
                text_offset: textOffset,
                token_logprobs: shown.map((e, i) => (e ? floorIfInfinite(shownTokens[i]!, e.logprob) : null)),
                tokens: shownTokens,
                top_logprobs: shown.map((e) => (e ? Object.fromEntries(Object.entries(e.top).slice(0, k + 1)) : null)),
              },
        finish_reason: 'length',
        stop_reason: null,
        ...(promptK !== null
          ? {
              prompt_logprobs: scoredPrompt.map((e, i) =>
                e ? { [idOf(tokens[i]!)]: { logprob: e.logprob, rank: 1, decoded_token: tokens[i] } } : null,
              ),
            }
          : {}),
      });
    }
    send(res, 200, {
      id: `cmpl-${prompts}`,
      object: 'text_completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices,
      usage: { prompt_tokens: promptTokens, completion_tokens: list.length, total_tokens: promptTokens + list.length },
    });
  }

  function chat(res: http.ServerResponse, body: any) {
    const user = [...(body.messages ?? [])].reverse().find((m: any) => m.role === 'user');
    const answer = extractiveAnswer(String(user?.content ?? ''));
    if (!body.stream) {
      return send(res, 200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 0,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const pieces = answer.match(/\S+\s*/g) ?? [];
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    for (const piece of pieces) res.write(chunk({ content: piece }, null));
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  }

  function modelNotFound(res: http.ServerResponse, name: unknown) {
    send(res, 404, { object: 'error', message: `The model \`${String(name)}\` does not exist.`, type: 'NotFoundError', param: null, code: 404 });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    promptCount: () => prompts,
    options,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const STOP_WORDS = new Set(['what', 'which', 'where', 'when', 'does', 'this', 'that', 'with', 'from', 'have', 'there', 'their', 'about', 'the', 'and', 'for']);

/**
 * Stands in for an answer model: finds the context line that shares most words with the question
 * and quotes it with its `path:line`, read from the `--- path:first-last ---` headers.
 */
export function extractiveAnswer(content: string): string {
  const cut = content.lastIndexOf('\n\nQuestion: ');
  const context = cut >= 0 ? content.slice(0, cut) : content;
  const question = cut >= 0 ? content.slice(cut + 12) : '';
  const words = new Set((question.toLowerCase().match(/[\p{L}\p{N}_-]{4,}/gu) ?? []).filter((w) => !STOP_WORDS.has(w)));
  let path = '';
  let line = 0;
  let best = { hits: 0, path: '', line: 0, text: '' };
  for (const text of context.split('\n')) {
    const header = /^--- (.+):(\d+)-(\d+) ---$/.exec(text);
    if (header) {
      path = header[1]!;
      line = Number(header[2]);
      continue;
    }
    const lineWords = new Set(text.toLowerCase().match(/[\p{L}\p{N}_-]{4,}/gu) ?? []);
    let hits = 0;
    for (const w of words) if (lineWords.has(w)) hits++;
    if (hits > best.hits) best = { hits, path, line, text: text.trim() };
    line++;
  }
  if (best.hits === 0) return 'The excerpts do not contain the answer.';
  return `According to ${best.path}:${best.line}, the code says: ${best.text}`;
}
