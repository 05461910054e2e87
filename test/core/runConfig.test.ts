import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { USAGE, parseCommandLine } from '../../extension/cli/args';
import { readSettings, toRunConfig } from '../../extension/vscode/config';
import { createBackend, runOptions } from '../../extension/core/backend';
import { DEFAULT_EXCLUDES, DEFAULTS, OPTION_NAMES, OPTIONS, type OptionSpec, type Options } from '../../extension/core/options';
import { enumValues } from '../../extension/core/config/optionValues';
import { FAMILIES, SCORING_METHODS } from '../../extension/core/model/families';
import { defaultRunConfig, runConfigOf, toArgv } from '../../extension/core/config/runConfig';
import { segment } from '../../extension/core/xl3m/segment';
import { TiktokenTokenizer, tokenizeFile } from '../../extension/core/tokens/tokenizer';
import { generatedManifest, MANIFEST } from '../../scripts/manifest';
import { startScoringServer } from '../support/scoringServer';

const ROOT = join(__dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const properties: Record<string, { default?: unknown; minimum?: number; maximum?: number; enum?: string[]; enumDescriptions?: string[] }> =
  manifest.contributes.configuration.properties;
const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('one table of options', () => {
  test("package.json's settings and restricted settings are the table's (npm run manifest writes them)", () => {
    const text = readFileSync(MANIFEST, 'utf8');
    assert.equal(generatedManifest(text), text, 'package.json differs from the option table: run npm run manifest');
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.sort(), [
      'xl3m.additionalBaseUrls',
      'xl3m.answerBaseUrl',
      'xl3m.answerModel',
      'xl3m.baseUrl',
      'xl3m.includeSecrets',
      'xl3m.indexCache',
      'xl3m.indexCacheMegabytes',
      'xl3m.localModel',
      'xl3m.model',
    ]);
  });

  test('the usage text names every flag of the table, with its default', () => {
    for (const name of OPTION_NAMES) {
      const spec: OptionSpec = OPTIONS[name];
      if (!spec.flag || spec.repeatOf) continue;
      const entry = new RegExp(`^  ${spec.flag}\\b.*(\\n {28}.*)*`, 'm').exec(USAGE)?.[0];
      assert.ok(entry, `${spec.flag} in USAGE`);
      if (spec.kind === 'int' && spec.default !== 0) assert.match(entry, new RegExp(`\\(default ${spec.default}\\)`), `${spec.flag}'s default`);
      if (spec.kind === 'enum') for (const v of enumValues(spec)) assert.ok(entry.includes(v), `${spec.flag} lists ${v}`);
    }
  });

  test('a run with no options uses the defaults, in the CLI and in the extension alike', () => {
    const cli = parseCommandLine(['ask', 'q'], {}) as Extract<ReturnType<typeof parseCommandLine>, { command: 'ask' }>;
    assert.deepEqual(cli.config, runConfigOf(DEFAULTS));
    assert.deepEqual(cli.config, defaultRunConfig());
    assert.equal(cli.top, DEFAULTS.top);
    const { settings, problems } = readSettings({ value: () => undefined, userValue: () => undefined });
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, DEFAULTS);
    assert.deepEqual(toRunConfig(settings, undefined, []), cli.config);
    const server = parseCommandLine(['ask', 'q', '--base-url', 'http://127.0.0.1:1/v1', '--model', 'm'], {}) as Extract<
      ReturnType<typeof parseCommandLine>,
      { command: 'ask' }
    >;
    assert.deepEqual(server.config.server, {
      baseUrls: ['http://127.0.0.1:1/v1'],
      model: 'm',
      apiKey: undefined,
      method: DEFAULTS.scoringMethod,
      concurrency: DEFAULTS.concurrency,
      promptsPerRequest: DEFAULTS.promptsPerRequest,
      timeoutSeconds: DEFAULTS.requestTimeoutSeconds,
      retries: DEFAULTS.retries,
      answerBaseUrl: undefined,
      answerModel: undefined,
    });
  });

  test("unset sizes are the table's where they are used: segments, overlap, window, answer reserve", async () => {
    const text = Array.from({ length: 4000 }, (_, i) => `export const value${i} = compute(${i});`).join('\n');
    const file = { path: 'big.ts', absPath: '/r/big.ts', text, bytes: text.length };
    const segments = segment([tokenizeFile(file, tokenizer)], tokenizer);
    const sizes = segments.map((s) => s.tokens);
    assert.ok(Math.max(...sizes) <= DEFAULTS.segmentTokens && Math.max(...sizes) > DEFAULTS.segmentTokens * 0.9, `segments of ${sizes.join(', ')}`);
    const backend = await createBackend(defaultRunConfig(), { tokenizer });
    assert.equal(runOptions(defaultRunConfig(), backend).contextWindow ?? DEFAULTS.contextWindow, DEFAULTS.contextWindow);
  });

  test('the defaults are written in one source file (no shadow copies)', () => {
    const files = sourceFiles(join(ROOT, 'extension')).filter((f) => relative(ROOT, f) !== 'extension/core/options.ts');
    for (const literal of ['3072', '16384', '120000', '120_000', '2_000_000', '1048576']) {
      const holders = files.filter((f) => new RegExp(`(?<![\\w.])${literal}(?![\\w.])`).test(readFileSync(f, 'utf8')));
      assert.deepEqual(
        holders.map((f) => relative(ROOT, f)),
        [],
        `${literal} outside the option table`,
      );
    }
  });

  test('the scoring methods come from the server families, in settings, CLI and probe order', () => {
    assert.deepEqual(
      SCORING_METHODS,
      FAMILIES.map((f) => f.method),
    );
    const method = properties['xl3m.scoringMethod']!;
    assert.deepEqual(method.enum, ['auto', ...SCORING_METHODS]);
    assert.deepEqual(
      method.enumDescriptions!.slice(1),
      FAMILIES.map((f) => f.summary),
    );
    for (const m of SCORING_METHODS) assert.ok(USAGE.includes(m), `${m} in USAGE`);
  });

  test('toArgv gives back every option: parsing its arguments makes the same run configuration', () => {
    const rich: Options = {
      ...DEFAULTS,
      baseUrl: 'http://127.0.0.1:8000/v1',
      additionalBaseUrls: ['http://127.0.0.1:8001/v1', 'http://127.0.0.1:8002/v1'],
      model: 'qwen',
      localModel: '/models/q.gguf',
      localContextSize: 8192,
      localThreads: 3,
      scoringMethod: 'chat-yes-no',
      answerBaseUrl: 'http://127.0.0.1:9000/v1',
      answerModel: 'big',
      includeSecrets: true,
      segmentTokens: 1000,
      overlapTokens: 10,
      concurrency: 3,
      promptsPerRequest: 2,
      contextWindow: 32000,
      answerReserve: 500,
      budget: 9000,
      measure: 'contrast',
      ranking: 'model',
      prefilterPercent: 25,
      scoringTokens: 50_000,
      pinned: ['src/a.ts'],
      answer: false,
      excludes: ['dist/', 'secret dir/'],
      useDefaultExcludes: false,
      useGitignore: false,
      maxFileBytes: 5000,
      requestTimeoutSeconds: 7,
      retries: 0,
      indexCache: false,
      indexCacheMegabytes: 64,
      indexServer: false,
      serverIdleMinutes: 5,
    };
    const local: Options = { ...DEFAULTS, localModel: '/models/q.gguf', model: 'ignored without a server', excludes: ['private/'] };
    for (const options of [DEFAULTS, rich, local]) {
      const argv = toArgv(options);
      const parsed = parseCommandLine(['mcp', '--repo', '/r', ...argv], {}) as Extract<ReturnType<typeof parseCommandLine>, { command: 'mcp' }>;
      assert.deepEqual(parsed.config, runConfigOf({ ...options, apiKey: '' }), argv.join(' '));
      assert.equal(parsed.cache?.maxBytes, options.indexCache ? options.indexCacheMegabytes * 2 ** 20 : undefined, 'the index cache as set');
    }
    const sized = parseCommandLine(['mcp', ...toArgv({ ...DEFAULTS, indexCacheMegabytes: 64 })], {}) as Extract<
      ReturnType<typeof parseCommandLine>,
      { command: 'mcp' }
    >;
    assert.equal(sized.cache?.maxBytes, 64 * 2 ** 20);
    assert.deepEqual(toArgv(DEFAULTS), []);
    assert.ok(!toArgv({ ...rich, apiKey: 'sk-secret' }).includes('sk-secret'), 'the key is never an argument');
    // every option with a flag shows up when it differs from its default
    const flags = new Set(toArgv(rich).filter((a) => a.startsWith('--')));
    for (const name of OPTION_NAMES) {
      const spec: OptionSpec = OPTIONS[name];
      if (spec.flag && name !== 'apiKey' && name !== 'top' && name !== 'json') assert.ok(flags.has(spec.flag), `${spec.flag} from toArgv`);
    }
  });
});

describe('behaviours decided once for every entry point', () => {
  const ask = (argv: string[]) => (parseCommandLine(['ask', 'q', ...argv], {}) as Extract<ReturnType<typeof parseCommandLine>, { command: 'ask' }>).config;
  const settings = (values: Record<string, unknown>, user: Record<string, unknown> = {}) =>
    readSettings({ value: (k) => values[k], userValue: (k) => user[k] }).settings;

  test('excludes add to the defaults in the CLI and in the extension; the defaults can be turned off in both', async () => {
    const backendOf = async (config: ReturnType<typeof ask>) => runOptions(config, await createBackend(config, { tokenizer }));
    const cli = await backendOf(ask(['--exclude', 'dist/']));
    const ext = await backendOf(toRunConfig(settings({ excludes: ['dist/'] }), undefined, []));
    assert.deepEqual(cli.gather!.excludes, [...DEFAULT_EXCLUDES, 'dist/']);
    assert.deepEqual(ext.gather!.excludes, cli.gather!.excludes);
    const cliOff = await backendOf(ask(['--exclude', 'dist/', '--no-default-excludes']));
    const extOff = await backendOf(toRunConfig(settings({ excludes: ['dist/'], useDefaultExcludes: false }), undefined, []));
    assert.deepEqual(cliOff.gather!.excludes, ['dist/']);
    assert.deepEqual(extOff.gather!.excludes, ['dist/']);
  });

  test('a server and a local model both set: the server is used, and the run says so, in the CLI and in the extension', async () => {
    const server = await startScoringServer();
    try {
      const cli = ask(['--base-url', server.url, '--model', 'test-model', '--model-file', '/nowhere/model.gguf']);
      const ext = toRunConfig(settings({}, { baseUrl: server.url, model: 'test-model', localModel: '/nowhere/model.gguf' }), undefined, []);
      for (const config of [cli, ext]) {
        const backend = await createBackend(config, {
          tokenizer,
          localModels: { open: () => Promise.reject(new Error('the local model must not be opened')) },
        });
        assert.equal(backend.kind, 'server');
        assert.match(backend.notes.join(' '), /a local model \(\/nowhere\/model\.gguf\) is configured too: the server is used/);
      }
    } finally {
      await server.close();
    }
  });

  test('retries and timeouts reach the endpoints from the CLI and from the settings', async () => {
    const { endpointsOf } = await import('../../extension/core/backend');
    const cli = endpointsOf(ask(['--base-url', 'http://127.0.0.1:1/v1', '--model', 'm', '--retries', '5', '--timeout', '7']));
    const ext = endpointsOf(toRunConfig(settings({ retries: 5, requestTimeoutSeconds: 7 }, { baseUrl: 'http://127.0.0.1:1/v1', model: 'm' }), undefined, []));
    for (const e of [...cli, ...ext]) {
      assert.equal(e.maxRetries, 5);
      assert.equal(e.timeoutMs, 7000);
    }
  });

  test('a token size the user set is kept unless the local model cannot hold it', async () => {
    const runtime = {
      name: 'tiny.gguf',
      contextSize: 2048,
      sampleTokens: 0,
      scorer: () => ({ description: 'x', stats: { requests: 0, attempts: 0, promptTokens: 0 }, score: async () => {} }),
      answer: async () => '',
    };
    runtime.sampleTokens = tokenizer.count((await import('../../extension/core/model/local/localModel')).TOKENIZER_SAMPLE);
    const host = { open: async () => ({ runtime, release: async () => {} }) };
    const small = await createBackend(ask(['--model-file', 'm.gguf', '--segment-tokens', '200']), { tokenizer, localModels: host });
    assert.equal(small.segmentTokens, 200);
    const big = await createBackend(ask(['--model-file', 'm.gguf', '--segment-tokens', '100000']), { tokenizer, localModels: host });
    assert.ok(big.segmentTokens! < 2048, `${big.segmentTokens}`);
    assert.match(big.notes.join(' '), /the segment size of 100000 tokens does not fit the local model/);
    const unset = await createBackend(ask(['--model-file', 'm.gguf']), { tokenizer, localModels: host });
    assert.equal(unset.segmentTokens, big.segmentTokens, 'unset: what the model holds');
  });
});
