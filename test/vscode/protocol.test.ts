import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeNonce, panelHtml } from '../../extension/vscode/panelHtml';
import { parseWebviewMessage } from '../../extension/vscode/protocol';

describe('webview protocol', () => {
  test('accepts well-formed messages only', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'open', path: 'src/a.ts', line: 3, endLine: 9 }), { type: 'open', path: 'src/a.ts', line: 3, endLine: 9 });
    assert.deepEqual(parseWebviewMessage({ type: 'open', path: 'src/a.ts', line: 3, endLine: 1 }), { type: 'open', path: 'src/a.ts', line: 3 });
    assert.deepEqual(parseWebviewMessage({ type: 'cancel', extra: 'ignored' }), { type: 'cancel' });
    for (const bad of [
      null,
      'open',
      {},
      { type: 'open', path: 1, line: 1 },
      { type: 'open', path: 'a', line: 0 },
      { type: 'open', path: 'a', line: 1.5 },
      { type: 'togglePin' },
      { type: 'runShell', cmd: 'rm -rf /' },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('panel html', () => {
  test('a strict CSP: scripts only with the nonce, no inline styles, nothing from elsewhere', () => {
    const nonce = makeNonce();
    const html = panelHtml({
      cspSource: 'https://webview.test',
      nonce,
      scriptUri: 'https://webview.test/media/webview.js',
      styleUri: 'https://webview.test/media/panel.css',
    });
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'(;|$)`));
    assert.match(csp, /style-src https:\/\/webview\.test(;|$)/);
    assert.ok(!csp.includes('unsafe'));
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 1);
    assert.ok(scripts.every((attrs) => attrs.includes(`nonce="${nonce}"`)));
    assert.ok(!/\son\w+=/.test(html), 'no inline event handlers');
  });

  test('nonces are long and fresh', () => {
    const a = makeNonce();
    assert.match(a, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(a, makeNonce());
  });
});
