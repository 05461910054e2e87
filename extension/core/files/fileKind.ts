// What a file is, from its path alone: shown beside each ranked file, and the basis of the lexical
// ranking's prior (a question about behaviour is answered by source code, not by its changelog).

export type FileKind = 'source' | 'test' | 'docs' | 'config' | 'generated' | 'other';

export const FILE_KINDS: readonly FileKind[] = ['source', 'test', 'docs', 'config', 'generated', 'other'];

const SOURCE_EXTENSIONS = new Set(
  (
    'py pyx pxd pyi js jsx mjs cjs ts tsx mts cts vue svelte astro java kt kts scala groovy go rs c h cc cpp cxx hpp hh hxx m mm ' +
    'cs fs vb swift dart rb php pl pm lua r jl ex exs erl hrl clj cljs elm hs ml mli nim zig sol v sv vhd ' +
    'sh bash zsh fish ps1 bat sql graphql gql proto css scss sass less html htm wgsl glsl hlsl cu'
  ).split(' '),
);
const DOC_EXTENSIONS = new Set('md mdx rst txt adoc asciidoc tex org rtf'.split(' '));
const CONFIG_EXTENSIONS = new Set('json jsonc json5 yaml yml toml ini cfg conf properties xml plist lock editorconfig env'.split(' '));
const CONFIG_NAMES =
  /^(makefile|dockerfile|containerfile|vagrantfile|procfile|gemfile|rakefile|justfile|cmakelists\.txt|setup\.cfg|tox\.ini|\.[\w.-]+rc|\.gitignore|\.gitattributes|\.npmignore|\.dockerignore|codeowners|license|licence|copying|notice)(\.\w+)?$/i;
const TEST_PATH = /(^|\/)(tests?|__tests__|__mocks__|specs?|testing|test_?data|fixtures?|e2e|cypress|playwright)\//i;
const TEST_NAME = /(^test_.*|.*_tests?\.\w+|.*\.(test|spec|e2e)\.\w+|^conftest\.py|.*Tests?\.(java|kt|cs|swift|scala)|.*_spec\.rb)$/i;
const DOC_PATH = /(^|\/)(docs?|documentation|man|website|site|guides?|tutorials?)\//i;
const DOC_NAME =
  /^(readme|changelog|changes|history|news|authors|contributors|contributing|code_of_conduct|security|support|upgrading|migration|releases?|todo)(\.\w+)?$/i;
const GENERATED_PATH = /(^|\/)(dist|build|out|target|vendor|third_party|__snapshots__|\.next|coverage)\//i;
const GENERATED_NAME = /(\.d\.ts|\.snap|\.ipynb|\.min\.\w+|\.map|\.lock)$/i;

/** The kind of a file, by its path (`/`-separated, relative to its root). */
export function fileKind(path: string): FileKind {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (GENERATED_NAME.test(name) || GENERATED_PATH.test(path)) return 'generated';
  if (TEST_NAME.test(name) || TEST_PATH.test(path)) return 'test';
  if (DOC_NAME.test(name) || (DOC_PATH.test(path) && !SOURCE_EXTENSIONS.has(ext)) || DOC_EXTENSIONS.has(ext) || /(^|\/)\.github\//.test(path)) return 'docs';
  if (CONFIG_NAMES.test(name) || CONFIG_EXTENSIONS.has(ext) || /\.config\.[cm]?[jt]s$/.test(name)) return 'config';
  if (SOURCE_EXTENSIONS.has(ext)) return DOC_PATH.test(path) || /(^|\/)(examples?|samples?|demos?|bench(marks?)?)\//i.test(path) ? 'other' : 'source';
  return 'other';
}
