// `xl3m ask` hands a warm question to the repository's server from dist/cli.js, which must load
// little: every module it pulls in is parsed on every call. It grew to 531 KB once without anyone
// noticing (the cache folder's module imported the index format, which imports the parser; the
// option checks imported the server families, which import the OpenAI client): about 20 ms of a
// 0.3-0.5 s question. The bundle is built here as scripts/build.mjs builds it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';

const ROOT = join(__dirname, '../..');

test("the command's entry bundles no library and stays small", async () => {
  const built = await esbuild.build({
    entryPoints: [join(ROOT, 'extension/cli/launch.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(built.metafile.inputs);
  assert.deepEqual(
    inputs.filter((i) => i.includes('node_modules')),
    [],
    'libraries in the entry (load them in cliMain.js instead)',
  );
  const bytes = built.outputFiles[0]!.contents.length;
  assert.ok(bytes < 100_000, `dist/cli.js would be ${bytes} bytes`);
});
