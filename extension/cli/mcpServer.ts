// `xl3m mcp`: the Model Context Protocol over stdin/stdout, for agents (Claude Code, Cursor,
// Continue, VS Code). The same run as `xl3m ask`; it reads only under the --repo folders, writes
// nothing, and logs to stderr (stdout carries the protocol alone).
import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { FileCache, readTextIfUnchanged } from '../core/files/fileCache';
import { nodeFileSystem } from '../core/files/fileSystem';
import type { GatherRoot } from '../core/files/gather';
import { folderUnderRoots, readUnderRoots } from '../core/files/roots';
import { monotonicProgress, progressFilter } from '../core/report/progressFilter';
import { describeProgress } from '../core/report/progressText';
import { formatRanges } from '../core/report/rangeFormat';
import { formatReport, relevantFilesReport, REPORT_DEFAULTS } from '../core/report/relevantFiles';
import { runQuestion, type RunOutcome } from '../core/run';
import { RunQueue } from '../core/runQueue';
import { describeRehearsal, Rehearsal, rehearsalConfig } from '../core/rehearsal';
import type { RunConfig } from '../core/config/runConfig';
import { inertLine } from '../core/report/terminalText';
import { Tokenizing } from '../core/tokens/tokenizing';
import { WarmIndex } from '../core/warmIndex';
import { DiskIndex } from '../core/store/diskIndex';
import type { McpArgs } from './args';
import { collectGarbage } from './collectGarbage';
import { inProcessModels } from './inProcessModels';
import { guardRequests, MAX_REQUEST_BYTES } from './mcpInputGuard';

/** Garbage is collected this long after the last call, unless another comes. */
const COLLECT_AFTER_MS = 3000;

export interface McpIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

type ProgressNotification = {
  method: 'notifications/progress';
  params: { progressToken: string | number; progress: number; total?: number; message?: string };
};

type ToolReply = { content: { type: 'text'; text: string }[]; isError?: boolean; structuredContent?: Record<string, unknown> };

const refusal = (text: string): ToolReply => ({ content: [{ type: 'text', text: `xl3m: ${text}` }], isError: true });

/** Serves until the client goes away (stdin ends) or `signal` aborts; resolves to the exit code. */
export async function serveMcp(args: McpArgs, io: McpIo, signal?: AbortSignal): Promise<number> {
  const log = (line: string) => io.stderr.write(`xl3m mcp: ${inertLine(line)}\n`);
  const roots: string[] = [];
  for (const repo of args.repos) {
    const resolved = path.resolve(repo);
    if (!statSafe(resolved)?.isDirectory()) {
      log(`--repo is not a folder: ${resolved}`);
      return 2;
    }
    roots.push(realpathSync(resolved));
  }
  // the same tokenizing as `xl3m ask` (worker threads when a model scores), with the counts kept
  const tokenizing = new Tokenizing(__dirname, { keepCounts: true });
  const tokenizer = tokenizing.tokenizer;
  // kept for the life of the server (and on disk, between servers): an agent's tenth call reads only the files that changed
  const disk = args.cache ? await DiskIndex.of(roots, args.cache) : undefined;
  let index: WarmIndex | undefined;
  const answers = Boolean(args.config.answer && (args.config.server || args.config.localModel));
  // one run at a time, in the order called: an agent calls tools in parallel, and each waits its turn
  const queue = new RunQueue();
  const closed = new AbortController();
  // garbage collected once calls pause (collectGarbage.ts), not after each: an agent's calls often come in bursts;
  // then the last call ranked again, lexically (core/rehearsal.ts), unless a call comes first
  let pauseTimer: NodeJS.Timeout | undefined;
  const rehearsal = new Rehearsal();
  const collectWhenPaused = () => {
    clearTimeout(pauseTimer);
    pauseTimer = setTimeout(() => {
      if (queue.running || closed.signal.aborted) return;
      collectGarbage();
      void rehearsal.now((rehearsed, ms) => log(describeRehearsal('call', rehearsed, ms)));
    }, COLLECT_AFTER_MS);
    pauseTimer.unref();
  };
  const gatherRoots: GatherRoot[] = roots.map((r) => ({ path: r, name: path.basename(r) }));
  /** The roots to read for a call: all of them, or the one folder it names (which must lie under a root). */
  const rootsFor = async (folder: string | undefined): Promise<GatherRoot[] | string> => {
    if (!folder) return gatherRoots;
    const target = await folderUnderRoots(nodeFileSystem, gatherRoots, path.resolve(roots[0]!, folder), folder);
    return 'refused' in target ? target.refused : [target];
  };

  const run = async (
    tool: string,
    question: string,
    folder: string | undefined,
    config: RunConfig,
    extra: { signal: AbortSignal; sendNotification?: (n: ProgressNotification) => Promise<void>; _meta?: { progressToken?: string | number } },
  ): Promise<{ outcome: RunOutcome; refused?: undefined } | { outcome?: undefined; refused: string }> => {
    rehearsal.stop();
    const target = await rootsFor(folder);
    if (typeof target === 'string') return { refused: target };
    const controller = new AbortController();
    const stop = () => controller.abort(new Error('cancelled by the client'));
    extra.signal.addEventListener('abort', stop, { once: true });
    closed.signal.addEventListener('abort', stop, { once: true });
    const token = extra._meta?.progressToken;
    // at most two notifications a second; scoring's count as it goes
    const shown = progressFilter({ everyMs: 500 });
    const amount = monotonicProgress();
    const notify = (step: { progress: number; total?: number } | undefined, message: string) => {
      if (token === undefined || !step) return;
      void extra.sendNotification?.({ method: 'notifications/progress', params: { progressToken: token, ...step, message } }).catch(() => {});
    };
    try {
      return await queue.run(
        tool,
        async () => {
          const started = performance.now();
          log(`${tool}: ${question.split('\n', 1)[0]!.slice(0, 100)}`);
          if (!index) {
            // without a cache on disk: the index in memory alone, its texts read again when asked (as the disk index's are)
            index = disk ? await disk.load() : new WarmIndex(new FileCache(readTextIfUnchanged));
            const why = index.watchFolders(roots);
            log(why ? `every call checks every file: ${why}` : 'watching the roots: a call checks only what changed since the last');
          }
          const outcome = await runQuestion(
            config,
            question,
            target,
            { fs: nodeFileSystem, ...tokenizing.env(), localModels: inProcessModels, index },
            {
              signal: controller.signal,
              onStatus: log,
              onBackend: (backend) => backend.notes.forEach(log),
              onProgress: (e) => {
                if (shown(e)) notify(amount(e), describeProgress(e));
              },
            },
          );
          log(
            `${tool}: ${outcome.result.files.length} files ranked in ${((performance.now() - started) / 1000).toFixed(1)} s${outcome.result.partial ? ` (partial: ${outcome.result.partial})` : ''}`,
          );
          const lexical = rehearsalConfig(config);
          const kept = index;
          rehearsal.remember((signal) =>
            queue.run(
              'rehearsing the last call',
              () => runQuestion(lexical, question, target, { fs: nodeFileSystem, ...tokenizing.env(), localModels: inProcessModels, index: kept }, { signal }),
              { signal },
            ),
          );
          // written after the reply, as the next call's turn in the queue: a call never waits on it unless one follows at once
          if (disk) setImmediate(() => void queue.run('writing the index', () => disk.save().then((note) => note && log(note))).catch(() => {}));
          collectWhenPaused();
          return { outcome };
        },
        {
          signal: controller.signal,
          onWait: (ahead) => {
            const running = queue.running;
            const message = `waiting for ${ahead === 1 ? 'the run' : `${ahead} runs`} ahead${running ? ` (${running.label}, started ${Math.round((Date.now() - running.started) / 1000)} s ago)` : ''}`;
            log(`${tool}: ${message}`);
            notify(amount({ stage: 'rank', files: 0 }), message);
          },
        },
      );
    } catch (err) {
      log(`${tool}: ${(err as Error).message}`);
      return { refused: controller.signal.aborted ? 'the run was cancelled' : (err as Error).message };
    } finally {
      extra.signal.removeEventListener('abort', stop);
      closed.signal.removeEventListener('abort', stop);
    }
  };

  const server = new McpServer({ name: 'xl3m', version: '0.1.0' });
  const question = z.string().trim().min(1, 'the question is empty').describe('The question, in words; a pasted bug report or log is fine.');
  const folder = z
    .string()
    .optional()
    .describe(`A folder to search instead of all of them (absolute, or relative to ${roots[0]}); it must lie under: ${roots.join(', ')}.`);

  server.registerTool(
    'find_relevant_files',
    {
      title: 'Find the files relevant to a question',
      description:
        'Ranks every file of the repository for a question (lexical BM25F over paths, declared names and content; with a scoring model, fused with XL3M certainty scoring) and returns the best files with their relevance, kind, line ranges and short excerpts within a token budget. No index to keep fresh.',
      inputSchema: {
        question,
        folder,
        maxFiles: z.number().int().min(1).max(200).optional().describe(`Files to return (default ${REPORT_DEFAULTS.maxFiles}).`),
        tokenBudget: z.number().int().min(0).max(100_000).optional().describe(`Tokens of excerpts in all (default ${REPORT_DEFAULTS.tokenBudget}).`),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (input, extra): Promise<ToolReply> => {
      const { outcome, refused } = await run('find_relevant_files', input.question, input.folder, { ...args.config, answer: false }, extra);
      if (!outcome) return refusal(refused!);
      const report = await relevantFilesReport(outcome.result, {
        maxFiles: input.maxFiles,
        tokenBudget: input.tokenBudget,
        countTokens: (t) => tokenizer.count(t),
        read: (f) => readUnderRoots(nodeFileSystem, gatherRoots, f.location),
      });
      return { content: [{ type: 'text', text: formatReport(report) }], structuredContent: { ...report } };
    },
  );

  if (answers) {
    server.registerTool(
      'ask_codebase',
      {
        title: 'Ask the codebase',
        description:
          'Answers a question about the repository from its most relevant lines (XL3M: the files that matter are found, then the configured model answers from them, citing path:line).',
        inputSchema: { question, folder },
        annotations: { readOnlyHint: true, openWorldHint: false },
      },
      async (input, extra): Promise<ToolReply> => {
        const { outcome, refused } = await run('ask_codebase', input.question, input.folder, args.config, extra);
        if (!outcome) return refusal(refused!);
        const r = outcome.result;
        const sources = r.files.filter((f) => f.inKeyContext).map((f) => `- ${f.path} lines ${formatRanges(f.ranges, '')}`);
        const text = [r.answer || '(no answer)', '', 'Read from:', ...sources, ...(r.partial ? ['', `Partial: ${r.partial}`] : [])].join('\n');
        return {
          content: [{ type: 'text', text }],
          structuredContent: {
            answer: r.answer,
            keyContextFiles: r.files.filter((f) => f.inKeyContext).map((f) => ({ path: f.path, ranges: f.ranges })),
            ...(r.partial ? { partial: r.partial } : {}),
          },
        };
      },
    );
  }

  // a request over the limit is answered with an error, and the connection goes on
  const requests = guardRequests(io.stdin, MAX_REQUEST_BYTES, (id, bytes) => {
    const message = `xl3m: the request is ${(bytes / 1024 / 1024).toFixed(1)} MiB, more than the ${MAX_REQUEST_BYTES / 1024 / 1024} MiB a request may be: send a shorter question (its title and the lines that matter)`;
    log(message);
    if (id !== null) io.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32600, message } })}\n`);
  });
  const transport = new StdioServerTransport(requests, io.stdout);
  const ended = new Promise<void>((resolve) => {
    const end = () => resolve();
    io.stdin.once('end', end);
    io.stdin.once('close', end);
    transport.onclose = end;
    signal?.addEventListener('abort', end, { once: true });
  });
  await server.connect(transport);
  log(`serving ${roots.join(', ')}: find_relevant_files${answers ? ', ask_codebase' : ''}`);
  await ended;
  // the client is gone: nothing is left running
  closed.abort();
  rehearsal.stop();
  if (queue.running) await waitUntil(() => !queue.running, 5000);
  await server.close().catch(() => {});
  clearTimeout(pauseTimer);
  index?.stopWatching();
  await tokenizing.dispose();
  log('client gone; stopped');
  return 0;
}

function statSafe(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

async function waitUntil(done: () => boolean, ms: number) {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
