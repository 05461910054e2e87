// The fault matrix, security side (the webview's rendering is checked in the e2e test).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { toJson } from '../../extension/cli/ask';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { ask } from '../../extension/core/pipeline';
import { createScorer } from '../../extension/core/model/createScorer';
import { forgetProbes } from '../../extension/core/model/probe';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import { startScoringServer, type ScoringServer } from '../support/scoringServer';
import { tempRepo } from '../support/tempRepo';

const tokenizer = new TiktokenTokenizer();
const KEY = 'sk-live-THIS-KEY-MUST-NOT-LEAK-1234';
const filler = (n: number) => Array.from({ length: n }, (_, i) => `export const value${i} = ${i}; // plain code`).join('\n') + '\n';
let repo: ReturnType<typeof tempRepo>;
let server: ScoringServer;
before(async () => {
  server = await startScoringServer();
  repo = tempRepo({
    'src/app.ts': filler(30),
    '.env': 'DATABASE_PASSWORD=hunter2-env\n',
    '.env.production': 'TOKEN=prod-token-xyz\n',
    'deploy/id_ed25519': 'private-ssh-key-material\n',
    'certs/server.pem': 'pem-certificate-material\n',
    'config/settings.yaml':
      'signing: |\n  -----BEGIN OPENSSH PRIVATE KEY-----\n  MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n  VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n  -----END OPENSSH PRIVATE KEY-----\n',
  });
});
after(async () => {
  tokenizer.dispose();
  repo.dispose();
  await server.close();
});

const SECRETS = [
  'hunter2-env',
  'prod-token-xyz',
  'private-ssh-key-material',
  'pem-certificate-material',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
];

async function runAgainst(s: ScoringServer, options: { includeSecrets?: boolean; model?: string } = {}) {
  forgetProbes();
  const endpoint = { baseUrl: s.url, model: options.model ?? 'test-model', apiKey: KEY, maxRetries: 0 };
  const { scorer } = await createScorer({ endpoints: [endpoint], method: 'auto' });
  return ask(
    { question: 'Which database password does the app use?', roots: [{ path: repo.root, name: 'r' }], gather: { includeSecrets: options.includeSecrets } },
    { fs: nodeFileSystem, tokenizer, scorer, answerEndpoint: endpoint },
  );
}

describe('security', () => {
  test('secrets (.env*, keys, certificates, private-key blocks) are never sent, and the skipped list says so', async () => {
    const before = server.requests.length;
    const result = await runAgainst(server);
    const sent = JSON.stringify(server.requests.slice(before).map((r) => r.body));
    for (const s of SECRETS) assert.ok(!sent.includes(s), `${s} was sent`);
    for (const path of ['.env', '.env.production', 'deploy/id_ed25519', 'certs/server.pem', 'config/settings.yaml']) {
      assert.match(result.skipped.find((s) => s.path === path)?.reason ?? '', /^secret .*not sent unless secrets are included/);
    }
  });

  test('opting in sends them (per run)', async () => {
    const before = server.requests.length;
    await runAgainst(server, { includeSecrets: true });
    const sent = JSON.stringify(server.requests.slice(before).map((r) => r.body));
    for (const s of SECRETS) assert.ok(sent.includes(s), `${s} was not sent after opting in`);
  });

  test('the API key goes in the Authorization header only, and never into messages or results', async () => {
    // a hostile or careless server that repeats the key in its error message
    const leaky = await startScoringServer({ fault: (_path, _n) => ({ status: 401, body: { message: `invalid api key ${KEY}` } }) });
    try {
      const error = await runAgainst(leaky).then(
        () => assert.fail('the run should fail'),
        (e: Error) => e,
      );
      assert.ok(!error.message.includes(KEY), error.message);
      assert.match(error.message, /\*\*\*/);
      assert.ok(leaky.requests.length > 0 && leaky.requests.every((r) => r.authorization === `Bearer ${KEY}`));
      assert.ok(
        leaky.requests.every((r) => !JSON.stringify(r.body).includes(KEY)),
        'not in any body',
      );
      const ok = await runAgainst(server);
      assert.ok(!JSON.stringify(toJson(ok)).includes(KEY));
    } finally {
      await leaky.close();
    }
  });

  test('requests go only to the configured endpoint', async () => {
    const seen: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
      seen.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      await runAgainst(server);
    } finally {
      globalThis.fetch = realFetch;
    }
    const origin = new URL(server.url).origin;
    assert.ok(seen.length > 5, `${seen.length} requests`);
    assert.deepEqual([...new Set(seen.map((u) => new URL(u).origin))], [origin]);
  });
});
