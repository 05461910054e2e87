// Which files of the repository a file imports: the edges along which the ranking lifts the files
// that import one of the best files (lexical/lexicalRanking.ts, `importerWeight`). A file's import
// keys come from its import statements when its words are analysed (its own path resolves its
// relative imports, so they hold while its content does) and are kept with its words; a question
// resolves only the keys whose last part names one of its best files. JavaScript/TypeScript
// (relative specifiers), Python (absolute and relative modules) and Go (package paths, by their
// longest suffix that is a folder of the repository).

import { sameElements } from '../sameElements';

const JS_IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"\n]+)['"]|(?:^|[\s;(=,])(?:import|require)\s*\(\s*['"]([^'"\n]+)['"]\s*\)|^\s*import\s*['"]([^'"\n]+)['"]/gm;
const PY_FROM = /^\s*from\s+(\.*)([\w.]*)\s+import\s+\(?([\w\s,*]+)/gm;
const PY_IMPORT = /^\s*import\s+([\w.]+(?:\s*,\s*[\w.]+)*)/gm;
const GO_IMPORT_BLOCK = /^import\s*\(([^)]*)\)/gm;
const GO_IMPORT_LINE = /^import\s+(?:[\w.]+\s+)?"([^"]+)"/gm;

const JS_FILE = /\.(m|c)?[jt]sx?$|\.(vue|svelte)$/;
const JS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.vue', '.svelte'];

/**
 * The file's import keys, each once: `js:<path without extension or as written>`, `py:<module path>`
 * (a `from pkg import name` gives both `pkg` and `pkg/name`: the name may be a module), or
 * `go:<import path>`. Other languages: none.
 */
export function importKeys(path: string, text: string): string[] {
  const keys = new Set<string>();
  const folder = path.slice(0, Math.max(0, path.lastIndexOf('/')));
  if (JS_FILE.test(path)) {
    for (const m of text.matchAll(JS_IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec?.startsWith('.')) keys.add(`js:${joinPath(folder, spec)}`);
    }
  } else if (path.endsWith('.py')) {
    for (const m of text.matchAll(PY_FROM)) {
      const dots = m[1]!.length;
      const base = dots > 0 ? joinPath(ancestor(folder, dots - 1), m[2]!.replace(/\./g, '/')) : m[2]!.replace(/\./g, '/');
      if (base) keys.add(`py:${base}`);
      for (const name of m[3]!.split(',').map((n) => n.trim().split(/\s+/)[0]!)) if (/^\w+$/.test(name)) keys.add(`py:${base ? `${base}/${name}` : name}`);
    }
    for (const m of text.matchAll(PY_IMPORT)) for (const mod of m[1]!.split(',')) if (mod.trim()) keys.add(`py:${mod.trim().replace(/\./g, '/')}`);
  } else if (path.endsWith('.go')) {
    for (const m of text.matchAll(GO_IMPORT_LINE)) keys.add(`go:${m[1]!}`);
    for (const block of text.matchAll(GO_IMPORT_BLOCK)) for (const m of block[1]!.matchAll(/"([^"]+)"/g)) keys.add(`go:${m[1]!}`);
  }
  return [...keys];
}

/** The last part of a key (`js:a/b/render.js` -> `render`): a key can name a file only if this is one of the file's names (`namesOf`). */
export function lastPartOf(key: string): string {
  const part = key.slice(key.lastIndexOf('/') + 1).replace(/^(js|py|go):/, '');
  return key.startsWith('js:') ? part.replace(/\.[^.]*$/, '') : part;
}

/** The names an import of this file ends with: its name without extension, or its folder's for an index module, an `__init__.py` or a Go file. */
export function namesOf(path: string): string[] {
  const parts = path.split('/');
  const file = parts.at(-1)!;
  const bare = file.replace(/\.[^.]*$/, '');
  const folder = parts.at(-2);
  if (path.endsWith('.go')) return folder ? [folder] : [];
  return (bare === 'index' || bare === '__init__') && folder ? [bare, folder] : [bare];
}

/** The repository's paths, indexed for resolving import keys; made when a question first needs it. */
export class ImportResolver {
  private readonly byPath = new Map<string, number>();
  private readonly goFolders = new Map<string, number[]>();

  constructor(paths: readonly string[]) {
    paths.forEach((p, i) => {
      this.byPath.set(p, i);
      if (p.endsWith('.go') && !p.endsWith('_test.go')) {
        const folder = p.slice(0, Math.max(0, p.lastIndexOf('/')));
        const list = this.goFolders.get(folder);
        if (list) list.push(i);
        else this.goFolders.set(folder, [i]);
      }
    });
  }

  /** The files (indexes) these keys of the file at `from` import, each once, not itself. */
  importsOf(from: number, keys: readonly string[]): Set<number> {
    const out = new Set<number>();
    for (const key of keys) {
      const body = key.slice(3);
      if (key.startsWith('js:')) add(out, this.jsModule(body));
      else if (key.startsWith('py:')) add(out, this.byPath.get(`${body}.py`) ?? this.byPath.get(`${body}/__init__.py`));
      else if (key.startsWith('go:')) for (const i of this.goPackage(body)) out.add(i);
    }
    out.delete(from);
    return out;
  }

  private jsModule(base: string): number | undefined {
    if (this.byPath.has(base)) return this.byPath.get(base);
    const stem = base.replace(/\.(m|c)?js$/, ''); // `./x.js` written for `./x.ts`
    for (const ext of JS_EXTENSIONS) {
      const i = this.byPath.get(stem + ext) ?? this.byPath.get(`${base}/index${ext}`);
      if (i !== undefined) return i;
    }
    return undefined;
  }

  /** A Go package's files: the longest suffix of its import path that is a folder here (`github.com/o/r/v2/pkg/x` -> `pkg/x`). */
  private goPackage(spec: string): number[] {
    const parts = spec.split('/');
    for (let k = 0; k < parts.length; k++) {
      const files = this.goFolders.get(parts.slice(k).join('/'));
      if (files) return files;
    }
    return [];
  }
}

/** The last resolver made, and the paths it indexes. */
let lastResolver: { paths: readonly string[]; resolver: ImportResolver } | undefined;

/**
 * A resolver of these paths: the last one made when they are the same paths in the same order (a
 * long-lived host asks many questions of one file list, and indexing 26,000 paths took 7 ms of each).
 */
export function resolverFor(paths: readonly string[]): ImportResolver {
  const last = lastResolver;
  if (last && sameElements(last.paths, paths)) return last.resolver;
  lastResolver = { paths, resolver: new ImportResolver(paths) };
  return lastResolver.resolver;
}

function add(set: Set<number>, i: number | undefined) {
  if (i !== undefined) set.add(i);
}

/** `folder` joined with a relative path (`./`, `../`), normalised; `/`-separated, no leading slash. */
function joinPath(folder: string, relative: string): string {
  const parts = folder ? folder.split('/') : [];
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** The folder `levels` levels up (Python's `from ..x`: one dot is the package itself). */
function ancestor(folder: string, levels: number): string {
  const parts = folder ? folder.split('/') : [];
  return parts.slice(0, Math.max(0, parts.length - levels)).join('/');
}
