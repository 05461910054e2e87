// "Where is X defined?" in twelve languages: the file that defines X (a Go method with a receiver,
// a Rust `impl` method, Java and C# methods with a return type, a C++ out-of-line member, a Ruby
// `def self.x`, ...) ranks above two files that only call it, more often, and says which definition
// matched and on which line. Definitions come from tree-sitter's syntax trees.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { nodeFileSystem } from '../../extension/core/files/fileSystem';
import { ask } from '../../extension/core/pipeline';
import { namedIdentifiers } from '../../extension/core/lexical/namedDefinitions';
import { definitionsOf, prepareStructure } from '../../extension/core/structure/definitions';
import { TiktokenTokenizer } from '../../extension/core/tokens/tokenizer';
import { tempRepo } from '../support/tempRepo';

const tokenizer = new TiktokenTokenizer();
after(() => tokenizer.dispose());

interface Case {
  language: string;
  ext: string;
  /** The definer's text, and the line of `settleAccount`'s definition in it. */
  definer: string;
  line: number;
  kind: string;
  /** One line that calls it, repeated in each caller. */
  call: string;
}

const CASES: Case[] = [
  {
    language: 'Python',
    ext: 'py',
    definer: 'class Ledger:\n    def settleAccount(self, amount):\n        return amount * 2\n',
    line: 2,
    kind: 'method',
    call: 'ledger.settleAccount(total)',
  },
  {
    language: 'TypeScript',
    ext: 'ts',
    definer: 'export class Ledger {\n  settleAccount(amount: number): number {\n    return amount * 2;\n  }\n}\n',
    line: 2,
    kind: 'method',
    call: 'ledger.settleAccount(total);',
  },
  {
    language: 'JavaScript',
    ext: 'js',
    definer: 'export function settleAccount(amount) {\n  return amount * 2;\n}\n',
    line: 1,
    kind: 'function',
    call: 'settleAccount(total);',
  },
  {
    language: 'C',
    ext: 'c',
    definer: '#include "ledger.h"\n\nint settleAccount(int amount)\n{\n  return amount * 2;\n}\n',
    line: 3,
    kind: 'function',
    call: 'settleAccount(total);',
  },
  {
    language: 'Go',
    ext: 'go',
    definer: 'package ledger\n\nfunc (l *Ledger) settleAccount(amount int) int {\n\treturn amount * 2\n}\n',
    line: 3,
    kind: 'method',
    call: 'l.settleAccount(total)',
  },
  {
    language: 'Rust',
    ext: 'rs',
    definer: 'pub struct Ledger;\n\nimpl Ledger {\n    pub fn settleAccount(&self, amount: u32) -> u32 {\n        amount * 2\n    }\n}\n',
    line: 4,
    kind: 'method',
    call: 'ledger.settleAccount(total);',
  },
  {
    language: 'Java',
    ext: 'java',
    definer: 'public class Ledger {\n    public int settleAccount(int amount) {\n        return amount * 2;\n    }\n}\n',
    line: 2,
    kind: 'method',
    call: 'ledger.settleAccount(total);',
  },
  {
    language: 'C#',
    ext: 'cs',
    definer: 'public class Ledger\n{\n    public int settleAccount(int amount)\n    {\n        return amount * 2;\n    }\n}\n',
    line: 3,
    kind: 'method',
    call: 'ledger.settleAccount(total);',
  },
  {
    language: 'C++',
    ext: 'cpp',
    definer: '#include "ledger.hpp"\n\nint Ledger::settleAccount(int amount)\n{\n    return amount * 2;\n}\n',
    line: 3,
    kind: 'function',
    call: 'ledger.settleAccount(total);',
  },
  {
    language: 'Ruby',
    ext: 'rb',
    definer: 'class Ledger\n  def self.settleAccount(amount)\n    amount * 2\n  end\nend\n',
    line: 2,
    kind: 'method',
    call: 'Ledger.settleAccount(total)',
  },
  {
    language: 'PHP',
    ext: 'php',
    definer: '<?php\nclass Ledger {\n    public function settleAccount(int $amount): int {\n        return $amount * 2;\n    }\n}\n',
    line: 3,
    kind: 'method',
    call: '$ledger->settleAccount($total);',
  },
  {
    language: 'Kotlin',
    ext: 'kt',
    definer: 'class Ledger {\n    fun settleAccount(amount: Int): Int {\n        return amount * 2\n    }\n}\n',
    line: 2,
    kind: 'method',
    call: 'ledger.settleAccount(total)',
  },
];

const QUESTION = 'Where is settleAccount defined, and what does it return?';

describe('where is X defined, in twelve languages', () => {
  for (const c of CASES) {
    test(`${c.language}: the definer first, with its definition and line`, async () => {
      const caller = (name: string) => `// ${name}: pays what is owed\n${Array.from({ length: 4 }, () => c.call).join('\n')}\n`;
      const repo = tempRepo({
        [`src/ledger.${c.ext}`]: c.definer,
        [`src/billing.${c.ext}`]: caller('billing'),
        [`src/checkout.${c.ext}`]: caller('checkout'),
      });
      try {
        const result = await ask({ question: QUESTION, roots: [{ path: repo.root, name: 'repo' }] }, { fs: nodeFileSystem, tokenizer });
        assert.equal(result.files[0]!.path, `src/ledger.${c.ext}`);
        assert.deepEqual(result.files[0]!.definitions, [{ name: 'settleAccount', kind: c.kind, line: c.line }]);
        assert.equal(result.files[1]!.definitions, undefined, 'a caller defines nothing');
      } finally {
        repo.dispose();
      }
    });
  }

  test('the syntax tree, not the line patterns: a definition over several lines, a name in a comment or a string', async () => {
    await prepareStructure(['a.go', 'a.py']);
    assert.deepEqual(definitionsOf('a.go', '// func fake() {}\nfunc (\n\tl *Ledger,\n) real() {}\nvar s = "func alsoFake() {}"\n'), [
      { name: 'real', kind: 'method', line: 2 },
    ]);
    assert.deepEqual(definitionsOf('a.py', '"""\ndef fake():\n"""\nclass A:\n    async def run(self):\n        pass\n'), [
      { name: 'A', kind: 'class', line: 4 },
      { name: 'run', kind: 'method', line: 5 },
    ]);
    assert.equal(definitionsOf('notes.txt', 'def fake():'), undefined, 'no grammar: the patterns apply');
  });

  test('the names a question asks about: those written as code, and the identifiers of a "where is it defined" question but its own words; none in plain words', () => {
    assert.deepEqual([...namedIdentifiers('How does vite resolve the css preprocessor options for sass?')], [], 'plain words name nothing');
    assert.deepEqual([...namedIdentifiers('Why does resolveOptions() drop `css.preprocessorOptions`?')].sort(), [
      'css',
      'preprocessoroptions',
      'resolveoptions',
    ]);
    assert.deepEqual([...namedIdentifiers('Where is settle defined, and what does it return?')], ['settle']);
    assert.deepEqual([...namedIdentifiers('Where is the function that formats markdown tables defined?')], ['formats', 'markdown', 'tables']);
  });
});
