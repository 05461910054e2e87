// What a user meets before any code runs: the README's commands, the package's manifest, --help.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { USAGE } from '../extension/cli/args';

const ROOT = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

test("the README's `xl3m` works right after `npm ci` and `npm link`: installing builds the CLI the bin points to", () => {
  assert.ok(readme.includes('\nnpm link ') && readme.includes('\nxl3m ask '), 'the README shows the CLI');
  assert.equal(pkg.bin.xl3m, 'dist/cli.js');
  // npm ci runs `prepare` for the package itself
  assert.match(pkg.scripts.prepare ?? '', /scripts\/build\.mjs|npm run build/);
  assert.match(readFileSync(join(ROOT, 'scripts/build.mjs'), 'utf8'), /outfile: 'dist\/cli\.js'/);
});

test('the Extensions view shows an icon: a 128 px PNG that the .vsix carries', () => {
  const png = readFileSync(join(ROOT, pkg.icon));
  assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  assert.equal(png.readUInt32BE(16), 128, 'width');
  assert.equal(png.readUInt32BE(20), 128, 'height');
  // .vscodeignore is an allowlist (vsce's own matching): the icon must be named in it
  const rules = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(rules.includes(`!${pkg.icon}`), `${pkg.icon} is packaged`);
});

test('notifications are labelled with the short name, not a command title', () => {
  assert.equal(pkg.displayName, 'xl3m');
});

test('--help says which folders are left out by default, and how to see and undo it', () => {
  assert.match(USAGE, /node_modules\//);
  assert.match(USAGE, /--no-default-excludes/);
  assert.match(USAGE, /--json.*skipped|skipped.*--json/s);
});

test('the Marketplace page is written for people who install the extension: no build commands, the settings they set', () => {
  assert.match(readFileSync(join(ROOT, 'scripts/package.mjs'), 'utf8'), /'--readme-path',\s*'media\/marketplace-readme\.md'/);
  const page = readFileSync(join(ROOT, 'media/marketplace-readme.md'), 'utf8');
  assert.doesNotMatch(page, /\bnpm (ci|test|run|install)\b|\bnpx\b/, 'no developer commands');
  for (const setting of ['xl3m.baseUrl', 'xl3m.model', 'xl3m.localModel', 'xl3m.excludes', 'xl3m.includeSecrets']) assert.ok(page.includes(setting), setting);
});

test('the .vsix carries every Node bundle the build makes: a worker left out would leave its work to the extension host, silently', () => {
  const rules = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n');
  const bundles = [...readFileSync(join(ROOT, 'scripts/build.mjs'), 'utf8').matchAll(/outfile: '(dist\/[\w.]+\.js)'/g)].map((m) => m[1]!);
  for (const worker of ['dist/structureWorker.js', 'dist/tokenizerWorker.js', 'dist/localModelWorker.js']) assert.ok(bundles.includes(worker), worker);
  for (const bundle of bundles) assert.ok(rules.includes(`!${bundle}`), `${bundle} is packaged`);
});
