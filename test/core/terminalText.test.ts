import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inert, inertLine } from '../../extension/core/report/terminalText';

test('control characters are shown, not obeyed; newlines and tabs kept by inert, escaped by inertLine', () => {
  assert.equal(inert('a\x1b[2J\x1b]0;PWNED\x07b'), 'a\\x1b[2J\\x1b]0;PWNED\\x07b');
  assert.equal(inert('line 1\r\nline 2\roverwrite\tcol'), 'line 1\nline 2\\roverwrite\tcol');
  assert.equal(inert('C1 \x9b31m and DEL \x7f'), 'C1 \\x9b31m and DEL \\x7f');
  assert.equal(inert('trojan \u202eevil\u2066'), 'trojan \\u202eevil\\u2066');
  assert.equal(inert('ünïcödé 漢字 `code`'), 'ünïcödé 漢字 `code`');
  assert.equal(inertLine('a\nb\tc\x1b'), 'a\\nb\\tc\\x1b');
});
