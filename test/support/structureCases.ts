// A definer of `settleAccount` and a line that calls it, in twelve languages: what "Where is X
// defined?" must find (test/core/structure.test.ts), and what the syntax trees must read the same
// wherever they are parsed (test/core/structureProcess.test.ts).

export interface Case {
  language: string;
  ext: string;
  /** The definer's text, and the line of `settleAccount`'s definition in it. */
  definer: string;
  line: number;
  kind: string;
  /** One line that calls it, repeated in each caller. */
  call: string;
}

export const CASES: Case[] = [
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
