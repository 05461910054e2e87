// Copies node-llama-cpp, what it needs at run time and this platform's prebuilt CPU binaries into
// dist/node_modules, where the bundled worker (dist/localModelWorker.js) finds them, so that the
// .vsix can run a local model. The package tree is the lockfile's, nested folders included.
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')).packages;
const os = { linux: 'linux', darwin: 'mac', win32: 'win' }[process.platform];
const arch = process.arch === 'arm' ? 'armv7l' : process.arch;
// the CPU build only: the CUDA and Vulkan builds are hundreds of MB
const binaries = new Set([`@node-llama-cpp/${os}-${arch}`, `@node-llama-cpp/${os}-${arch}-metal`]);

/** Where Node finds `name` from the package at `from` (a lockfile path). */
function resolve(name, from) {
  for (let dir = from; ;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock[candidate]) return candidate;
    if (!dir) return undefined;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

// needed only to build llama.cpp from source, which the .vsix never does (it ships prebuilt binaries)
const BUILD_ONLY = new Set(['cmake-js', 'node-addon-api', 'node-api-headers']);

const closure = new Set();
function visit(path) {
  if (closure.has(path) || !existsSync(path)) return; // optional packages for other platforms are not installed
  if (BUILD_ONLY.has(path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))) return;
  closure.add(path);
  const p = lock[path];
  for (const name of [...Object.keys(p.dependencies ?? {}), ...Object.keys(p.optionalDependencies ?? {})]) {
    if (name.startsWith('@node-llama-cpp/') && !binaries.has(name)) continue;
    const found = resolve(name, path);
    if (found) visit(found);
  }
}
visit('node_modules/node-llama-cpp');
if (![...binaries].some((b) => closure.has(`node_modules/${b}`))) throw new Error(`no prebuilt node-llama-cpp binaries are installed for ${os}-${arch}`);

const skip = (src) =>
  /(^|\/)node_modules\/(@[^/]+\/)?[^/]+\/node_modules$/.test(src) || // nested packages come in on their own
  // llama.cpp's sources, the addon's C++ and the build toolchains: for building from source only
  /\/node-llama-cpp\/llama\/(gitRelease\.bundle|addon|cmake|CMakeLists\.txt|toolchains|xpack|patches)$/.test(src) ||
  /\/(test|tests|__tests__)$/.test(src) || // packages' own tests
  /\.(map|d\.ts|d\.cts|d\.mts|md|markdown)$/i.test(src) ||
  /\/(yarn\.lock|package-lock\.json|tsconfig\.json|\.eslintrc[^/]*|\.prettierrc[^/]*)$/.test(src);
rmSync('dist/node_modules', { recursive: true, force: true });
for (const path of closure) cpSync(path, join('dist', path), { recursive: true, filter: (src) => !skip(src.replaceAll('\\', '/')) });
console.log(`staged ${closure.size} packages for ${os}-${arch} into dist/node_modules`);
