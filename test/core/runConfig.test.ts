import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { USAGE, parseCommandLine } from '../../extension/cli/args';
import { readSettings, toRunConfig } from '../../extension/config';
import { createBackend, runOptions } from '../../extension/core/backend';
import { FAMILIES, SCORING_METHODS } from '../../extension/core/families';
import { DEFAULTS, OPTIONS } from '../../extension/core/runConfig';
import { TiktokenTokenizer } from '../../extension/core/tokenizer';
import { startScoringServer } from '../support/scoringServer';

const ROOT = join(__dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const properties: Record<string, { default?: unknown; minimum?: number; maximum?: number; enum?: string[]; enumDescriptions?: string[] }> = manifest.contributes.configuration.properties;
const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());

describe('one table of defaults', () => {
  test("package.json's settings carry the table's defaults and bounds", () => {
    for (const o of OPTIONS.filter((o) => o.setting)) {
      const p = properties[`xl3m.${o.setting}`];
      assert.ok(p, `xl3m.${o.setting} is contributed`);
      assert.deepEqual(p.default, DEFAULTS[o.name], `xl3m.${o.setting} default`);
      if (o.min !== undefined) assert.equal(p.minimum, o.min, `xl3m.${o.setting} minimum`);
      if (o.max !== undefined) assert.equal(p.maximum, o.max, `xl3m.${o.setting} maximum`);
    }
  });

  test('the CLI names every option of the table, with its default', () => {
    for (const o of OPTIONS.filter((o) => o.flag)) {
      assert.ok(USAGE.includes(`  ${o.flag} `), `${o.flag} in USAGE`);
      const d = DEFAULTS[o.name];
      if (typeof d === 'number') assert.match(USAGE, new RegExp(`${o.flag} [^\\n]*\\(default ${d}\\b`), `${o.flag}'s default in USAGE`);
    }
    const { config, top } = parseCommandLine(['ask', 'q', '--base-url', 'http://127.0.0.1:1/v1', '--model', 'm'], {}) as Extract<ReturnType<typeof parseCommandLine>, { command: 'ask' }>;
    assert.equal(top, DEFAULTS.top);
    assert.equal(config.server!.concurrency, DEFAULTS.concurrency);
    assert.equal(config.server!.promptsPerRequest, DEFAULTS.promptsPerRequest);
    assert.equal(config.server!.timeoutSeconds, DEFAULTS.timeoutSeconds);
    assert.equal(config.server!.retries, DEFAULTS.retries);
    assert.equal(config.maxFileBytes, DEFAULTS.maxFileBytes);
  });

  test('the settings reader falls back to the same defaults', () => {
    const { settings } = readSettings({ value: () => undefined, userValue: () => undefined });
    for (const o of OPTIONS.filter((o) => o.setting)) {
      assert.deepEqual((settings as unknown as Record<string, unknown>)[o.setting!], DEFAULTS[o.name], `xl3m.${o.setting}`);
    }
  });

  test('the scoring methods come from the server families, in settings, CLI and probe order', () => {
    assert.deepEqual(SCORING_METHODS, FAMILIES.map((f) => f.method));
    const method = properties['xl3m.scoringMethod']!;
    assert.deepEqual(method.enum, ['auto', ...SCORING_METHODS]);
    assert.deepEqual(method.enumDescriptions!.slice(1), FAMILIES.map((f) => f.summary));
    for (const m of SCORING_METHODS) assert.ok(USAGE.includes(m), `${m} in USAGE`);
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
    assert.deepEqual(cli.gather!.excludes, [...DEFAULTS.excludes, 'dist/']);
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
        const backend = await createBackend(config, { tokenizer, localModels: { open: () => Promise.reject(new Error('the local model must not be opened')) } });
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
    const runtime = { name: 'tiny.gguf', contextSize: 2048, sampleTokens: 0, scorer: () => ({ description: 'x', stats: { requests: 0, attempts: 0, promptTokens: 0 }, score: async () => {} }), answer: async () => '' };
    runtime.sampleTokens = tokenizer.count((await import('../../extension/core/local/localModel')).TOKENIZER_SAMPLE);
    const host = { open: async () => ({ runtime, release: async () => {} }) };
    const small = await createBackend(ask(['--model-file', 'm.gguf', '--segment-tokens', '200']), { tokenizer, localModels: host });
    assert.equal(small.segmentTokens, 200);
    const big = await createBackend(ask(['--model-file', 'm.gguf', '--segment-tokens', '100000']), { tokenizer, localModels: host });
    assert.ok(big.segmentTokens! < 2048, `${big.segmentTokens}`);
    assert.match(big.notes.join(' '), /the segment size 100000 is more than the local model holds/);
    const unset = await createBackend(ask(['--model-file', 'm.gguf']), { tokenizer, localModels: host });
    assert.equal(unset.segmentTokens, big.segmentTokens, 'unset: what the model holds');
  });
});

describe('the house rules', () => {
  test('nothing under extension/core imports vscode, and core imports nothing outside itself but packages', () => {
    const core = join(ROOT, 'extension/core');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(core);
    assert.ok(files.length > 30);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const specifiers = [...text.matchAll(/(?:from|import\(|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      for (const s of specifiers) {
        assert.notEqual(s, 'vscode', `${relative(ROOT, f)} imports vscode`);
        if (s.startsWith('.')) assert.ok(!relative(core, join(f, '..', s)).startsWith('..'), `${relative(ROOT, f)} imports ${s}, outside the core`);
      }
    }
  });

  test('outside the core, only the run assembly creates scorers', () => {
    const outside = ['extension/askRunner.ts', 'extension/commands.ts', 'extension/ctx.ts', 'extension/main.ts', 'extension/cli/main.ts', 'extension/cli/args.ts', 'extension/config.ts'];
    for (const f of outside) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      assert.doesNotMatch(text, /core\/scorers\/|core\/families\/(vllm|sglang|tgi|chat)|new \w+Scorer\(/, `${f} reaches into the scorers itself`);
    }
  });
});
