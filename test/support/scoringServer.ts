// A test server on 127.0.0.1 that speaks vLLM's OpenAI-compatible wire format as documented:
// /v1/completions with echo + logprobs (first entry null, top_logprobs maps with the actual token,
// list prompts, token-id prompts, -9999.0 for -inf, prompt_logprobs), /tokenize, /v1/models and
// streaming /v1/chat/completions. Its log-probabilities come from a cache language model.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { scoreTokens, tokenizeText } from './cacheLanguageModel';

export type Fault =
  { status: number; body?: unknown; headers?: Record<string, string>; rawBody?: string } | 'hang' | 'reset' | 'reset-mid-body' | 'ignore-echo';

/** Which server's wire format to speak (see docs of each; `vllm` is the default). */
export type ServerFamily = 'vllm' | 'sglang' | 'tgi' | 'llamacpp' | 'ollama' | 'openai';

export interface ScoringServerOptions {
  family?: ServerFamily;
  model?: string;
  maxModelLen?: number;
  maxLogprobs?: number;
  /** Tokens whose text matches are reported with vLLM's -9999.0 stand-in for -inf. */
  minusInfinityFor?: RegExp;
  /** Per-request fault injection; `n` counts requests to that path from 1. */
  fault?(path: string, n: number): Fault | undefined;
  /** Rewrites a successful JSON reply before it is sent (wrong shapes, missing fields); a string is sent as is. */
  mutate?(path: string, reply: any, n: number): unknown;
  /** Milliseconds between streamed answer chunks. */
  streamDelayMs?: number;
  /** Milliseconds to wait before answering each completions request. */
  delayMs?: number;
  /** Disables `/tokenize` (404), like servers that have none. */
  noTokenize?: boolean;
  /** Simulated prefill cost per computed (not cached) prompt token, in ms. */
  prefillMsPerToken?: number;
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
  /** Prompt tokens computed, not served from the (SGLang radix) prefix cache. */
  computedTokens(): number;
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
  let computed = 0;
  const family = options.family ?? 'vllm';
  // SGLang's radix cache, simplified: prompt prefixes (up to logprob_start_len) seen before.
  const prefixCache = new Set<string>();
  const prefill = async (tokens: number, cached = 0) => {
    computed += tokens - cached;
    if (options.prefillMsPerToken) await new Promise((r) => setTimeout(r, (tokens - cached) * options.prefillMsPerToken!));
  };
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
    if (fault === 'reset-mid-body') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
      res.write('{"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":"');
      return setTimeout(() => req.socket.destroy(), 20);
    }
    if (fault && typeof fault === 'object') {
      if (fault.rawBody !== undefined) {
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        return res.end(fault.rawBody);
      }
      return send(res, fault.status, fault.body ?? { object: 'error', message: 'injected fault', code: fault.status }, fault.headers);
    }
    const mutate = options.mutate;
    if (mutate) {
      const original = res.end.bind(res);
      (res as any).end = (chunk?: any) => {
        if (res.statusCode === 200 && typeof chunk === 'string' && chunk.startsWith('{')) {
          const changed = mutate(path, JSON.parse(chunk), n);
          return original(typeof changed === 'string' ? changed : JSON.stringify(changed));
        }
        return original(chunk);
      };
    }

    if (path === '/v1/models' && req.method === 'GET')
      return send(res, 200, { object: 'list', data: [{ id: model, object: 'model', max_model_len: maxModelLen }] });
    if (req.method !== 'POST') return send(res, 404, { detail: 'Not Found' });
    const tokenizeRoute = !options.noTokenize && (family === 'vllm' || family === 'sglang' || family === 'llamacpp' || family === 'tgi');
    if (path === '/tokenize' && tokenizeRoute) {
      if (family === 'tgi') {
        // TGI's shape: a list of {id, text, start, stop}
        let at = 0;
        return send(
          res,
          200,
          tokenizeText(String(body.inputs ?? '')).map((t) => ({ id: idOf(t), text: t, start: at, stop: (at += t.length) })),
        );
      }
      if (family === 'llamacpp') {
        if (typeof body.content !== 'string')
          return send(res, 400, { error: { code: 400, message: '"content" must be provided', type: 'invalid_request_error' } });
        return send(res, 200, { tokens: tokenizeText(body.content).map(idOf) });
      }
      if (body.model !== undefined && body.model !== model) return modelNotFound(res, body.model);
      const tokens = tokenizeText(String(body.prompt ?? '')).map(idOf);
      return send(res, 200, { count: tokens.length, max_model_len: maxModelLen, tokens, token_strs: null });
    }
    if (path === '/generate' && family === 'sglang') return sglangGenerate(res, body);
    if (path === '/generate' && family === 'tgi') return tgiGenerate(res, body);
    if (path === '/v1/completions') {
      if (family === 'openai') return modelNotFound(res, body.model); // chat models have no completions
      if (body.model !== model) return modelNotFound(res, body.model);
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      // llama.cpp, Ollama and TGI ignore echo: log-probs of generated tokens only
      return completions(res, body, fault === 'ignore-echo' || family === 'llamacpp' || family === 'ollama' || family === 'tgi');
    }
    if (path === '/v1/chat/completions') {
      if (body.model !== model) return modelNotFound(res, body.model);
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      return chat(res, body);
    }
    return send(res, 404, { detail: 'Not Found' });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function completions(res: http.ServerResponse, body: any, ignoreEcho: boolean) {
    const raw = body.prompt;
    const list: (string | number[])[] =
      typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.length > 0 && typeof raw[0] === 'number' ? [raw as number[]] : (raw as (string | number[])[]);
    if (!Array.isArray(list) || list.length === 0) return send(res, 400, { object: 'error', message: 'prompt must be a string or a list', code: 400 });
    const k = body.logprobs ?? null;
    if (k !== null && (k < 0 || k > maxLogprobs)) {
      return send(res, 400, {
        object: 'error',
        message: `Requested sample logprobs of ${k}, which is greater than max allowed: ${maxLogprobs}`,
        type: 'BadRequestError',
        code: 400,
      });
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
      await prefill(tokens.length); // prompt log-probs do not read the prefix cache
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
              prompt_logprobs: scoredPrompt.map((e, i) => (e ? { [idOf(tokens[i]!)]: { logprob: e.logprob, rank: 1, decoded_token: tokens[i] } } : null)),
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

  async function chat(res: http.ServerResponse, body: any) {
    const user = [...(body.messages ?? [])].reverse().find((m: any) => m.role === 'user');
    const content = String(user?.content ?? '');
    if (body.logprobs && (body.max_tokens ?? 16) === 1 && !body.stream) {
      const top = Math.min(body.top_logprobs ?? 0, 20);
      const alternatives = content.endsWith(YES_NO_QUESTION) ? yesNoAlternatives(content) : nextTokenAlternatives(content);
      const shown = alternatives.slice(0, Math.max(top, 1));
      return send(res, 200, {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 0,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: shown[0]!.token },
            logprobs: { content: [{ token: shown[0]!.token, logprob: shown[0]!.logprob, top_logprobs: top > 0 ? shown : [] }] },
            finish_reason: 'length',
          },
        ],
        usage: { prompt_tokens: tokenizeText(content).length, completion_tokens: 1, total_tokens: tokenizeText(content).length + 1 },
      });
    }
    const answer = extractiveAnswer(content);
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
    for (const piece of pieces) {
      if (res.destroyed) return;
      res.write(chunk({ content: piece }, null));
      if (options.streamDelayMs) await new Promise((r) => setTimeout(r, options.streamDelayMs));
    }
    if (res.destroyed) return;
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  }

  async function sglangGenerate(res: http.ServerResponse, body: any) {
    if (body.input_ids === undefined && body.text === undefined) return send(res, 400, { error: { message: 'Either text or input_ids should be provided.' } });
    const batched = Array.isArray(body.input_ids) ? Array.isArray(body.input_ids[0]) : Array.isArray(body.text);
    const inputs: string[][] = (batched ? (body.input_ids ?? body.text) : [body.input_ids ?? body.text]).map((p: number[] | string) =>
      typeof p === 'string' ? tokenizeText(p) : p.map((id) => vocabulary[id] ?? '<unk>'),
    );
    const starts: number[] = inputs.map((_, i) => (Array.isArray(body.logprob_start_len) ? body.logprob_start_len[i] : body.logprob_start_len) ?? 0);
    const k = body.top_logprobs_num ?? 0;
    const replies: unknown[] = [];
    for (const [i, tokens] of inputs.entries()) {
      prompts++;
      const prefixKey = tokens.slice(0, starts[i]).join('\u0000');
      const cached = starts[i]! > 0 && prefixCache.has(prefixKey) ? starts[i]! : 0;
      prefixCache.add(prefixKey);
      await prefill(tokens.length, cached);
      const scored = scoreTokens(tokens, k);
      const from = Math.max(0, Math.min(starts[i]!, tokens.length));
      replies.push({
        text: ' the',
        meta_info: {
          prompt_tokens: tokens.length,
          cached_tokens: cached,
          input_token_logprobs: scored
            .slice(from)
            .map((e, j) => [e ? e.logprob : null, idOf(tokens[from + j]!), body.return_text_in_logprobs ? tokens[from + j] : null]),
          ...(k > 0
            ? {
                input_top_logprobs: scored.slice(from).map((e) =>
                  e
                    ? Object.entries(e.top)
                        .slice(0, k)
                        .map(([t, lp]) => [lp, idOf(t), t])
                    : null,
                ),
              }
            : {}),
        },
      });
    }
    send(res, 200, batched ? replies : replies[0]);
  }

  async function tgiGenerate(res: http.ServerResponse, body: any) {
    if (typeof body.inputs !== 'string') return send(res, 422, { error: 'Input validation error: `inputs` must be a string', error_type: 'validation' });
    const tokens = tokenizeText(body.inputs);
    prompts++;
    await prefill(tokens.length);
    const scored = scoreTokens(tokens, 0);
    return send(res, 200, {
      generated_text: ' the',
      details: {
        finish_reason: 'length',
        generated_tokens: 1,
        prefill: body.parameters?.decoder_input_details ? scored.map((e, i) => ({ id: idOf(tokens[i]!), text: tokens[i], logprob: e ? e.logprob : null })) : [],
        tokens: [{ id: idOf(' the'), text: ' the', logprob: -1, special: false }],
      },
    });
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
    computedTokens: () => computed,
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

const YES_NO_QUESTION = 'Answer yes or no.';

interface Alternative {
  token: string;
  logprob: number;
}

/** Mean NLL of `question` after `context` under the cache model. */
function questionNll(context: string, question: string): number {
  const before = tokenizeText(context);
  const q = tokenizeText(question);
  const scored = scoreTokens([...before, ...q], 0).slice(before.length);
  return scored.reduce((a, e) => a - (e ? e.logprob : 0), 0) / Math.max(1, q.length);
}

/**
 * A stand-in relevance judge: p(yes) rises with how much the document lowers the question's NLL
 * under the cache model; the answer comes back in case and leading-space variants, as real
 * tokenizers give them.
 */
function yesNoAlternatives(content: string): Alternative[] {
  const q = content.lastIndexOf('\n\nQuestion: ');
  const end = content.lastIndexOf('\n\nDoes the document');
  const document = q >= 0 ? content.slice(0, q) : '';
  const question = q >= 0 && end > q ? content.slice(q + 12, end) : content;
  const gain = questionNll('', question) - questionNll(document, question);
  const yes = 1 / (1 + Math.exp(-(gain - 2)));
  const no = 1 - yes;
  const alts: Alternative[] = [
    { token: 'Yes', logprob: Math.log(yes * 0.6) },
    { token: ' yes', logprob: Math.log(yes * 0.3) },
    { token: 'YES', logprob: Math.log(yes * 0.05) },
    { token: 'No', logprob: Math.log(no * 0.7) },
    { token: ' no', logprob: Math.log(no * 0.25) },
    { token: 'The', logprob: Math.log(0.02) },
  ];
  return alts.filter((a) => a.logprob > -30).sort((a, b) => b.logprob - a.logprob);
}

/** The cache model's next-token distribution after the content. */
function nextTokenAlternatives(content: string): Alternative[] {
  const tokens = tokenizeText(content);
  const scored = scoreTokens([...tokens, ' the'], 20);
  const last = scored[scored.length - 1];
  const top = last ? Object.entries(last.top).map(([token, logprob]) => ({ token, logprob })) : [];
  return (top.length ? top : [{ token: ' the', logprob: Math.log(1 / 50_000) }]).sort((a, b) => b.logprob - a.logprob);
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
