// The languages whose structure xl3m reads with tree-sitter: each one's grammar (the prebuilt WASM
// of `tree-sitter-wasms`), its file extensions, and the syntax nodes that define a name, with the
// kind a person calls it. A language not listed here falls back to the declaration patterns of
// lexical/declarations.ts.

/** What a definition defines; `declaration` where the line patterns found it (a language with no grammar here). */
export type DefinitionKind = 'function' | 'method' | 'class' | 'struct' | 'interface' | 'trait' | 'enum' | 'type' | 'module' | 'constant' | 'declaration';

export interface LanguageSpec {
  /** The grammar's file: tree-sitter-<grammar>.wasm. */
  grammar: string;
  extensions: readonly string[];
  /** Syntax node type -> what it defines. A function inside a class-like node is a method. */
  definitions: Readonly<Record<string, DefinitionKind>>;
  /**
   * The ranking reads this language's definitions from syntax trees (false: from the line patterns,
   * which read these languages as well, at a fraction of the cost; the trees still name the
   * definitions a listed file holds). Measured (BENCHMARKS.md, *Structure*): trees instead of the
   * patterns moved nothing on the Python set and cost one item on the TS/JS set, and parsing every
   * TS/JS/Python file made a cold question on a 26,000-file monorepo 2.1x slower.
   */
  ranked: boolean;
}

const JS_DEFINITIONS = {
  function_declaration: 'function',
  generator_function_declaration: 'function',
  class_declaration: 'class',
  method_definition: 'method',
  // `const settle = (...) => ...`: lexical/declarations.ts sees these too
  variable_declarator: 'function',
} as const;

const TS_DEFINITIONS = {
  ...JS_DEFINITIONS,
  abstract_class_declaration: 'class',
  interface_declaration: 'interface',
  type_alias_declaration: 'type',
  enum_declaration: 'enum',
  internal_module: 'module',
} as const;

const C_DEFINITIONS = {
  function_definition: 'function',
  struct_specifier: 'struct',
  enum_specifier: 'enum',
  type_definition: 'type',
} as const;

export const LANGUAGES: readonly LanguageSpec[] = [
  { grammar: 'python', ranked: false, extensions: ['.py', '.pyi'], definitions: { function_definition: 'function', class_definition: 'class' } },
  { grammar: 'typescript', ranked: false, extensions: ['.ts', '.mts', '.cts'], definitions: TS_DEFINITIONS },
  { grammar: 'tsx', ranked: false, extensions: ['.tsx'], definitions: TS_DEFINITIONS },
  { grammar: 'javascript', ranked: false, extensions: ['.js', '.mjs', '.cjs', '.jsx'], definitions: JS_DEFINITIONS },
  {
    grammar: 'go',
    ranked: true,
    extensions: ['.go'],
    definitions: { function_declaration: 'function', method_declaration: 'method', type_spec: 'type' },
  },
  {
    grammar: 'rust',
    ranked: true,
    extensions: ['.rs'],
    definitions: {
      function_item: 'function',
      struct_item: 'struct',
      enum_item: 'enum',
      trait_item: 'trait',
      type_item: 'type',
      mod_item: 'module',
      macro_definition: 'function',
      const_item: 'constant',
      static_item: 'constant',
    },
  },
  {
    grammar: 'java',
    ranked: true,
    extensions: ['.java'],
    definitions: {
      class_declaration: 'class',
      interface_declaration: 'interface',
      enum_declaration: 'enum',
      record_declaration: 'class',
      method_declaration: 'method',
      constructor_declaration: 'method',
    },
  },
  {
    grammar: 'c_sharp',
    ranked: true,
    extensions: ['.cs'],
    definitions: {
      class_declaration: 'class',
      struct_declaration: 'struct',
      interface_declaration: 'interface',
      enum_declaration: 'enum',
      record_declaration: 'class',
      method_declaration: 'method',
      constructor_declaration: 'method',
      property_declaration: 'method',
    },
  },
  { grammar: 'c', ranked: true, extensions: ['.c', '.h'], definitions: C_DEFINITIONS },
  {
    grammar: 'cpp',
    ranked: true,
    extensions: ['.cc', '.cpp', '.cxx', '.hh', '.hpp', '.hxx'],
    definitions: { ...C_DEFINITIONS, class_specifier: 'class', namespace_definition: 'module' },
  },
  {
    grammar: 'ruby',
    ranked: true,
    extensions: ['.rb'],
    definitions: { method: 'method', singleton_method: 'method', class: 'class', module: 'module' },
  },
  {
    grammar: 'php',
    ranked: true,
    extensions: ['.php'],
    definitions: {
      function_definition: 'function',
      method_declaration: 'method',
      class_declaration: 'class',
      interface_declaration: 'interface',
      trait_declaration: 'trait',
      enum_declaration: 'enum',
    },
  },
  {
    grammar: 'kotlin',
    ranked: true,
    extensions: ['.kt', '.kts'],
    definitions: { function_declaration: 'function', class_declaration: 'class', object_declaration: 'class' },
  },
];

const BY_EXTENSION = new Map(LANGUAGES.flatMap((l) => l.extensions.map((e) => [e, l] as const)));

/** The language of a file by its extension, if its structure is read. */
export function languageOf(path: string): LanguageSpec | undefined {
  const dot = path.lastIndexOf('.');
  return dot < 0 || dot < path.lastIndexOf('/') ? undefined : BY_EXTENSION.get(path.slice(dot).toLowerCase());
}

/** Node types inside which a function is a method. */
export const CLASS_LIKE = new Set([
  'class_definition',
  'class_declaration',
  'class_body',
  'abstract_class_declaration',
  'impl_item',
  'trait_item',
  'class_specifier',
  'struct_specifier',
  'interface_declaration',
  'object_declaration',
  'class',
  'module',
]);
