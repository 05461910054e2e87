// Development only (rankLab's graph variants): which files of the repository a file imports, read
// from the import statements of JavaScript/TypeScript (relative specifiers), Python (absolute and
// relative modules) and Go (package paths, by their longest suffix that is a folder of the
// repository). The product spread relevance along these edges once (commit 47aba98) and no longer
// does: BENCHMARKS.md, *The file graph*.

const JS_IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"\n]+)['"]|(?:^|[\s;(=,])(?:import|require)\s*\(\s*['"]([^'"\n]+)['"]\s*\)|^\s*import\s*['"]([^'"\n]+)['"]/gm;
const PY_FROM = /^\s*from\s+(\.*)([\w.]*)\s+import\s+\(?([\w\s,*]+)/gm;
const PY_IMPORT = /^\s*import\s+([\w.]+(?:\s*,\s*[\w.]+)*)/gm;
const GO_IMPORT_BLOCK = /^import\s*\(([^)]*)\)/gm;
const GO_IMPORT_LINE = /^import\s+(?:[\w.]+\s+)?"([^"]+)"/gm;

const JS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.vue', '.svelte'];

/** The repository's paths, indexed for resolving imports; made once per question. */
export class PathIndex {
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

  /** The files `from` (a path of the index) imports, by index, each once, not itself. */
  importsOf(from: string, text: string): number[] {
    return [...this.sharesOf(from, text).keys()];
  }

  /**
   * The same, each with its share of the import: 1 for a module, 1/n for each of a Go package's n
   * files (importing a package says less of each of its files).
   */
  sharesOf(from: string, text: string): Map<number, number> {
    const out = new Map<number, number>();
    const add = (i: number | undefined, share = 1) => i !== undefined && out.set(i, Math.max(out.get(i) ?? 0, share));
    const folder = from.slice(0, Math.max(0, from.lastIndexOf('/')));
    if (/\.(m|c)?[jt]sx?$|\.(vue|svelte)$/.test(from)) {
      for (const m of text.matchAll(JS_IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (spec?.startsWith('.')) add(this.jsModule(joinPath(folder, spec)));
      }
    } else if (from.endsWith('.py')) {
      for (const m of text.matchAll(PY_FROM)) {
        const dots = m[1]!.length;
        const base = dots > 0 ? joinPath(ancestor(folder, dots - 1), m[2]!.replace(/\./g, '/')) : m[2]!.replace(/\./g, '/');
        add(this.pyModule(base));
        // `from pkg import module`: the names may be modules of the package
        for (const name of m[3]!.split(',').map((n) => n.trim().split(/\s+/)[0]!)) if (/^\w+$/.test(name)) add(this.pyModule(base ? `${base}/${name}` : name));
      }
      for (const m of text.matchAll(PY_IMPORT)) for (const mod of m[1]!.split(',')) add(this.pyModule(mod.trim().replace(/\./g, '/')));
    } else if (from.endsWith('.go')) {
      const specs = [...text.matchAll(GO_IMPORT_LINE)].map((m) => m[1]!);
      for (const block of text.matchAll(GO_IMPORT_BLOCK)) for (const m of block[1]!.matchAll(/"([^"]+)"/g)) specs.push(m[1]!);
      for (const spec of specs) {
        const files = this.goPackage(spec);
        for (const i of files) add(i, 1 / files.length);
      }
    }
    out.delete(this.byPath.get(from) ?? -1);
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

  private pyModule(base: string): number | undefined {
    if (!base) return undefined;
    return this.byPath.get(`${base}.py`) ?? this.byPath.get(`${base}/__init__.py`);
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
