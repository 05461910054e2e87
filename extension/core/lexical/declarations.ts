// The names a line declares, by regular expression, in the languages people ask about most.

// A line that declares a name, in the languages people ask about most; the name is group 1.
const DECLARATION =
  /^\s*(?:export\s+)?(?:default\s+)?(?:pub(?:\([\w\s]+\))?\s+)?(?:async\s+)?(?:def|class|function\*?|fn|func|interface|type|enum|struct|trait|impl|module|object|protocol|record|macro_rules!)\s+([A-Za-z_$][\w$]*)/;
const ASSIGNED_FUNCTION =
  /^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)/;
const METHOD = /^\s+(?:(?:public|private|protected|static|async|override|readonly|get|set)\s+)*([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::\s*[^{]+)?\{\s*$/;
const CONTROL_WORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'function', 'constructor']);

/** Names declared on a line, or none. */
export function declaredName(line: string): string | undefined {
  const m = DECLARATION.exec(line) ?? ASSIGNED_FUNCTION.exec(line) ?? METHOD.exec(line);
  return m && !CONTROL_WORDS.has(m[1]!) ? m[1] : undefined;
}
