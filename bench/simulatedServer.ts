// A scoring server with a known capacity, for the benchmarks: `slots` requests are computed at
// once (like a GPU batch) and the whole server prefills `capacity` tokens/s, `capacity / slots` per
// slot. It speaks the vLLM wire format (/tokenize, /v1/completions with echo) with synthetic
// log-probabilities. Run: `tsx bench/simulatedServer.ts --slots 8 --capacity 200000`.
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

export interface SimulatedServer {
  url: string;
  close(): Promise<void>;
}

/** Whitespace-and-punctuation tokens: cheap, so the server's own CPU is not what is measured. */
const split = (text: string) => text.match(/\s*[\w]+|\s*[^\s\w]|\s+/g) ?? [];

export async function startSimulatedServer(options: { slots: number; capacity: number; port?: number }): Promise<SimulatedServer> {
  const perSlot = options.capacity / options.slots;
  // Each slot keeps its own timeline, like a GPU that starts the next queued prompt the moment it
  // finishes one: a request starts at max(arrival, when the slot frees) and ends a prefill time
  // later. Timers that fire late (this process's event loop is busy with JSON) delay the reply,
  // not the slot's schedule: what is measured is whether the client keeps the slots fed.
  const freeAt = new Float64Array(options.slots);
  const schedule = (tokens: number): number => {
    let slot = 0;
    for (let i = 1; i < freeAt.length; i++) if (freeAt[i]! < freeAt[slot]!) slot = i;
    const end = Math.max(performance.now(), freeAt[slot]!) + (1000 * tokens) / perSlot;
    freeAt[slot] = end;
    return end;
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const send = (value: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.url === '/tokenize') {
      return send({ count: 0, max_model_len: 8192, tokens: split(String(body.prompt ?? '')).map((_, i) => 100 + (i % 30000)) });
    }
    if (req.url !== '/v1/completions') {
      res.writeHead(404);
      return res.end();
    }
    const prompts: (string | number[])[] = typeof body.prompt === 'string' || typeof body.prompt?.[0] === 'number' ? [body.prompt] : body.prompt;
    const lengths = prompts.map((p) => (typeof p === 'string' ? split(p).length : p.length));
    // a slot prefills its prompts at capacity / slots tokens per second
    const end = schedule(lengths.reduce((a, b) => a + b, 0));
    await new Promise((r) => setTimeout(r, Math.max(0, end - performance.now())));
    send({
      id: 'cmpl-sim',
      object: 'text_completion',
      model: body.model,
      choices: prompts.map((p, index) => {
        const n = lengths[index]! + 1;
        const tokens = typeof p === 'string' ? [...split(p), ' the'] : Array.from({ length: n }, () => ' t');
        return {
          index,
          text: '',
          logprobs: {
            tokens,
            token_logprobs: tokens.map((_, i) => (i === 0 ? null : -1 - (i % 7) / 10)),
            top_logprobs: tokens.map((t, i) => (i === 0 ? null : { [t]: -1 })),
          },
          finish_reason: 'length',
        };
      }),
      usage: { prompt_tokens: lengths.reduce((a, b) => a + b, 0), completion_tokens: prompts.length, total_tokens: 0 },
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(options.port ?? 0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** The same server in a process of its own, so that its CPU and memory are not the client's. */
export async function spawnSimulatedServer(slots: number, capacity: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--slots', String(slots), '--capacity', String(capacity)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve) => child.stdout!.once('data', (d) => resolve(String(d).trim())));
  return { url, child };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { slots: { type: 'string', default: '8' }, capacity: { type: 'string', default: '200000' }, port: { type: 'string', default: '0' } },
  });
  startSimulatedServer({ slots: Number(values.slots), capacity: Number(values.capacity), port: Number(values.port) }).then((s) =>
    process.stdout.write(`${s.url}\n`),
  );
}
