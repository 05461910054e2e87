// The answer panel's page (the built media/webview.js and panel.css, under the CSP that
// panelHtml writes) in Debian's Chromium at the widths it gets beside an editor: usable from
// 300 px up, with nothing cut and no sideways scrolling.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { panelHtml } from '../../extension/vscode/panelHtml';
import { EMPTY_STATE, type PanelState } from '../../extension/vscode/protocol';
import type { RankedFile } from '../../extension/core/types';

const ROOT = join(__dirname, '../..');
const ARTIFACTS = join(ROOT, 'test-output/e2e');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { chromium } = require(join(__dirname, 'deps/tools/node_modules/playwright-core'));

let browser: any;
let dir: string;
let pageUrl: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xl3m-panel-'));
  const media = pathToFileURL(join(ROOT, 'media')).href;
  writeFileSync(join(dir, 'panel.html'), panelHtml({ cspSource: 'file:', nonce: 'n0nce', scriptUri: `${media}/webview.js`, styleUri: `${media}/panel.css` }));
  pageUrl = pathToFileURL(join(dir, 'panel.html')).href;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function files(n: number): RankedFile[] {
  return Array.from({ length: n }, (_, i) => ({
    path:
      i === 3
        ? `src/${'averyveryverylongfilenamewithoutanybreakopportunity'.repeat(2)}.ts`
        : `packages/runtime-core/src/components/helpers/nested-folder-${i}/SomeComponentWithALongName${i}.ts`,
    location: `/ws/f${i}.ts`,
    score: 30 - i * 0.5,
    relevance: 1 - i * 0.02,
    kind: (['source', 'test', 'docs', 'config'] as const)[i % 4]!,
    ranges: [
      { start: 1201 + i, end: 1260 + i },
      { start: 2301, end: 2360 },
      { start: 10001, end: 10060 },
    ],
    inKeyContext: i < 5,
    ...(i === 1 ? { mentioned: true } : {}),
  }));
}

async function openPanel(width: number, state: PanelState) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  // scripts as strings: tsx's helpers (`__name`) do not exist in the page
  await page.addInitScript(
    `window.__posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });`,
  );
  await page.goto(pageUrl);
  await postState(page, state);
  await page.locator('#files li.file').first().waitFor({ timeout: 10_000 });
  return page;
}

const postState = (page: any, state: PanelState) => page.evaluate(`window.postMessage({ type: 'state', state: ${JSON.stringify(state)} }, '*')`);

/** Everything a person uses in the panel is inside the viewport, and nothing scrolls sideways. */
async function layoutProblems(page: any): Promise<string[]> {
  return page.evaluate(`(() => {
    const problems = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width) problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + width);
    for (const b of document.querySelectorAll('button')) {
      const r = b.getBoundingClientRect();
      const what = b.className + ' "' + b.textContent + '"';
      if (r.width === 0) problems.push('hidden: ' + what);
      else if (r.left < 0 || r.right > width + 0.5) problems.push('outside the panel: ' + what + ' (' + Math.round(r.left) + '-' + Math.round(r.right) + ' of ' + width + ')');
      else if (b.scrollWidth > b.clientWidth + 1) problems.push('cut: ' + what);
    }
    return problems;
  })()`);
}

for (const width of [300, 420]) {
  test(`the panel at ${width} px: every file, range and Pin usable, no sideways scrolling`, async () => {
    const state: PanelState = {
      ...EMPTY_STATE,
      question:
        'Why does the KeepAlive component lose its cached vnode when the include pattern changes at runtime? '.repeat(6) +
        'TypeError: Cannot read properties of undefined (reading "shapeFlag") at unmount (runtime-core.esm-bundler.js:6421:17)',
      status: 'done',
      files: files(40),
      rankedFiles: 700,
      listedFiles: 30,
      answer:
        'It is pruned in `packages/runtime-core/src/components/KeepAlive.ts:120-160`: see https://github.com/vuejs/core/blob/main/packages/runtime-core/src/components/KeepAlive.ts#L120-L160/and/a/very/long/path/without/any/space/to/break/at.',
      summary: '700 files, 1.2M tokens, ranked lexically in 1.1 s',
      pinned: [],
    };
    const page = await openPanel(width, state);
    try {
      assert.deepEqual(await layoutProblems(page), []);
      // the question does not crowd out the files: the first ranked file is on the first screen
      const first = await page.locator('#files li.file').first().boundingBox();
      assert.ok(first && first.y + first.height <= 900, `the first file is at ${first?.y} px, below the first screen`);
      const questionBox = await page.locator('#question').boundingBox();
      assert.ok(questionBox && questionBox.width > width / 2, `the question is ${questionBox?.width} px wide`);
      // the answer wraps inside the panel
      assert.ok(
        await page.evaluate(`(() => { const a = document.getElementById('answer'); return a.scrollWidth <= a.clientWidth + 1; })()`),
        'the answer wraps',
      );
      assert.equal(await page.locator('#files li.file').count(), 30);
      assert.equal(await page.locator('#files button.pin').count(), 30, 'a Pin on every row');
      await page.screenshot({ path: join(ARTIFACTS, `panel-${width}px.png`) });
      // a click on a range opens the file there and moves nothing in the panel
      const range = page.locator('#files li.file').nth(2).locator('button.range').nth(2);
      await range.click();
      assert.equal(await page.evaluate('document.scrollingElement.scrollLeft'), 0);
      assert.deepEqual(await page.evaluate('window.__posted.at(-1)'), { type: 'open', path: state.files[2]!.path, line: 10001, endLine: 10060 });
    } finally {
      await page.close();
    }
  });
}

test('running with no model: no empty Answer section; with one, the section waits for the answer', async () => {
  const running: PanelState = { ...EMPTY_STATE, question: 'q', status: 'running', progress: 'ranked 700 files', files: files(3), rankedFiles: 3 };
  const page = await openPanel(420, running);
  try {
    assert.equal(await page.locator('h2', { hasText: /^Answer$/i }).count(), 0);
    await postState(page, { ...running, expectAnswer: true });
    await page.locator('h2', { hasText: /^Answer$/i }).waitFor({ timeout: 5000 });
  } finally {
    await page.close();
  }
});

test("a run's end sends only what changed: the panel keeps its files and shows the summary and how many files were left out", async () => {
  const running: PanelState = { ...EMPTY_STATE, question: 'q', status: 'running', progress: 'ranked 700 files', files: files(3), rankedFiles: 3 };
  const page = await openPanel(420, running);
  try {
    const change: Partial<PanelState> = {
      status: 'done',
      summary: '700 files ranked',
      skipped: [{ path: 'big.bin', reason: 'binary' }],
      skippedFiles: 1200,
      progress: '',
    };
    await page.evaluate(`window.postMessage({ type: 'update', change: ${JSON.stringify(change)} }, '*')`);
    await page.locator('#summary', { hasText: '700 files ranked' }).waitFor({ timeout: 5000 });
    assert.equal(await page.locator('#files li.file').count(), 3, 'the files sent before are still listed');
    assert.equal(await page.locator('details.skipped summary').textContent(), '1200 files left out');
    assert.match((await page.locator('details.skipped').textContent()) ?? '', /big\.bin — binary.*… and 1199 more/s);
  } finally {
    await page.close();
  }
});
