// End to end: the extension installed from the built .vsix into a real VS Code (code-server on
// Node 24), driven by Playwright in Debian's Chromium, against the test scoring server on 127.0.0.1.
// Setup: test/e2e/setup.sh; the .vsix: npm run package.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { NEEDLE_ANSWER, NEEDLE_QUESTION, needleRepo } from '../support/needleRepo';
import { startScoringServer, type ScoringServer } from '../support/scoringServer';
import { writeTinyGguf } from '../support/tinyGguf';
import { E2E_DEPS as DEPS, installExtension, startCodeServer, type RunningCodeServer } from '../support/codeServer';
import { INDEX_SUFFIX } from '../../extension/core/store/cacheFolder';

const ROOT = join(__dirname, '../..');
const VSIX = join(ROOT, 'xl3m.vsix');
const ARTIFACTS = join(ROOT, 'test-output/e2e');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { chromium } = require(join(DEPS, 'tools/node_modules/playwright-core'));
// playwright-core lives in the e2e deps folder, outside the project's type graph.
type Browser = any;
type Page = any;

// code-server leaves sockets in the temp folder and config in $HOME: keep both in our own folder.
const TMP = join(__dirname, '.tmp');
mkdirSync(TMP, { recursive: true });
process.env.TMPDIR = TMP;
for (const [k, d] of [
  ['XDG_CONFIG_HOME', 'config'],
  ['XDG_DATA_HOME', 'data'],
  ['XDG_CACHE_HOME', 'cache'],
] as const) {
  process.env[k] = join(TMP, 'home', d);
  mkdirSync(process.env[k]!, { recursive: true });
}

const EVIL_NAME = '<b>evil<b> & "q" <img src=x onerror=window.__pwned=5>.md';
const EVIL_LINE =
  'The markup trick of the evil notes is <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> and [click me](javascript:window.__pwned=3) <a href="javascript:window.__pwned=4">x</a>';
let tmp: string;
let server: ScoringServer;
let decoy: ScoringServer;
let repo: ReturnType<typeof needleRepo>;
let codeServer: RunningCodeServer | undefined;
let browser: Browser | undefined;
let page: Page;
let url: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'xl3m-e2e-'));
  server = await startScoringServer();
  decoy = await startScoringServer(); // what a hostile workspace points the extension at
  repo = needleRepo({ maxFiles: 60, depth: 0.5 });
  const ws = join(tmp, 'ws');
  cpSync(repo.root, ws, { recursive: true });
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(join(ws, '.vscode/settings.json'), JSON.stringify({ 'xl3m.baseUrl': decoy.url, 'xl3m.model': 'test-model', 'xl3m.includeSecrets': true }));
  writeFileSync(join(ws, '.env'), 'API_TOKEN=must-never-be-sent\n');
  // a hostile file: markup in its name and in the line the answer will quote
  mkdirSync(join(ws, 'notes'), { recursive: true });
  writeFileSync(join(ws, 'notes', EVIL_NAME), `${EVIL_LINE}\n`);
  // code-server is a remote window: machine-scoped settings are read from the server's Machine settings.
  const endpointSettings = { 'xl3m.baseUrl': server.url, 'xl3m.model': 'test-model' };
  mkdirSync(join(tmp, 'ud/Machine'), { recursive: true });
  writeFileSync(join(tmp, 'ud/Machine/settings.json'), JSON.stringify(endpointSettings));
  mkdirSync(join(tmp, 'ud/User'), { recursive: true });
  writeFileSync(
    join(tmp, 'ud/User/settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'update.mode': 'none',
      'workbench.enableExperiments': false,
      'chat.disableAIFeatures': true,
      'security.workspace.trust.enabled': false,
      'explorer.autoReveal': true,
      'git.openRepositoryInParentFolders': 'never',
      'xl3m.promptsPerRequest': 1,
      'xl3m.concurrency': 4,
      'xl3m.segmentTokens': 1024,
    }),
  );

  const dirs = { userDataDir: join(tmp, 'ud'), extensionsDir: join(tmp, 'exts') };
  const install = installExtension(dirs, VSIX);
  assert.ok(install.ok, `installing the .vsix failed:\n${install.output}`);
  assert.ok(
    readdirSync(join(tmp, 'exts')).some((d) => d.startsWith('xl3m.xl3m-')),
    'the extension is installed from the .vsix',
  );
  // the extension keeps its index in this run's own folder, never the user's cache
  codeServer = await startCodeServer(dirs, ws, { ...process.env, XL3M_CACHE_DIR: join(tmp, 'cache') });
  const { port } = codeServer;
  url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  page.on('pageerror', (e: Error) => console.log('pageerror:', String(e).slice(0, 300)));
});

after(async () => {
  await browser?.close();
  await codeServer?.stop();
  await server?.close();
  await decoy?.close();
  repo?.dispose();
  if (tmp && !process.env.E2E_KEEP) rmSync(tmp, { recursive: true, force: true });
});

/**
 * The workbench after a (re)load: its DOM first, then the extension host's contributions (the
 * Explorer's folder is listed once the workspace is read). Waits on state, never on time.
 */
async function workbenchReady() {
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  await page.locator('.explorer-folders-view .monaco-list-row, .pane-header[aria-label*="Explorer" i]').first().waitFor({ timeout: 120_000 });
}

async function runCommand(title: string) {
  // Contributed commands appear once the extension host is up; an open quick pick does not refresh.
  // Each try reopens the palette; a palette that does not open yet (a loading workbench) is tried
  // again until the deadline, which only a broken workbench reaches.
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    if (
      !(await input.waitFor({ state: 'visible', timeout: 5000 }).then(
        () => true,
        () => false,
      ))
    )
      continue;
    // a workbench still restoring (editors, the panel) may take the focus and close the palette: try again
    if (
      !(await input.fill('>' + title, { timeout: 5000 }).then(
        () => true,
        () => false,
      ))
    )
      continue;
    if (
      await row.waitFor({ timeout: 3000 }).then(
        () => true,
        () => false,
      )
    ) {
      if (
        await row.click({ timeout: 5000 }).then(
          () => true,
          () => false,
        )
      )
        return;
    }
  }
  throw new Error(`command "${title}" never appeared in the command palette`);
}

async function ask(question: string) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const box = page.locator('.quick-input-widget', { hasText: 'Ask the Codebase' });
  // the question's input box can be closed by a workbench still restoring, like the palette: ask again
  for (let attempt = 1; ; attempt++) {
    await runCommand('xl3m: Ask the Codebase');
    const typed =
      (await box.waitFor({ timeout: 15_000 }).then(
        () => true,
        () => false,
      )) &&
      (await input.fill(question, { timeout: 5000 }).then(
        () => true,
        () => false,
      )) &&
      (await input.press('Enter', { timeout: 5000 }).then(
        () => true,
        () => false,
      ));
    if (typed) return;
    if (attempt === 5) throw new Error('the question box of "xl3m: Ask the Codebase" never took the question');
  }
}

const panel = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

test('ask the codebase: ranked files, answer, open, decorations, cancel, endpoint not redirectable', { timeout: 300_000 }, async () => {
  try {
    await page.goto(url);
    await workbenchReady();

    await ask(NEEDLE_QUESTION);
    const wv = panel();
    const first = wv.locator('#files li.file').first();
    await first.waitFor({ timeout: 60_000 });
    assert.equal((await first.locator('.file-open').textContent())?.trim(), repo.needlePath, 'the planted file is listed first');
    // the whole repository is ranked: the first files listed, each with a relevance a person reads, its kind, and the key-context mark
    assert.equal((await first.locator('.score').textContent())?.trim(), '100%');
    assert.equal((await first.locator('.kind').textContent())?.trim(), 'source');
    assert.equal(await first.locator('.in-context').count(), 1, 'the best file is in the key context');
    const heading = (await wv.locator('section h2', { hasText: 'Relevant files' }).textContent()) ?? '';
    const [, listed, ranked] = /\((\d+) of (\d+)\)/.exec(heading) ?? [];
    assert.ok(Number(ranked) >= Number(listed) && Number(listed) === (await wv.locator('#files li.file').count()), heading);
    assert.ok(Number(ranked) > 30, `every file is ranked: ${heading}`);
    const scores = (await wv.locator('#files li.file .score').allTextContents()).map((t: string) => Number(t.replace('%', '')));
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
      'most relevant first',
    );
    assert.ok((await wv.locator('#files li.file:not(.key-context)').count()) > 0, 'files outside the key context are listed too');

    await wv.locator('#answer', { hasText: NEEDLE_ANSWER }).waitFor({ timeout: 30_000 });
    await wv
      .locator('#status')
      .waitFor({ state: 'hidden', timeout: 30_000 })
      .catch(() => {});
    assert.equal((await wv.locator('#status').textContent())?.trim(), '', 'a complete run has no partial/failed status');
    // the citation in the answer is a button that opens the file
    assert.ok((await wv.locator('#answer button.citation').count()) >= 1, 'path:line citations are clickable');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'panel.png') });
    await wv.locator('button.more').click();
    assert.ok((await wv.locator('#files li.file').count()) > Number(listed), 'Show more lists more');

    // a click on the file opens it in an editor; the Explorer reveals it with its rank badge
    const firstRange = /^L(\d+)/.exec((await first.locator('button.range').first().textContent()) ?? '')!;
    await first.locator('.file-open').click();
    const name = basename(repo.needlePath);
    await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 20_000 });
    // the cursor at the range's first line, nothing selected (a keystroke must not replace the range)
    const cursor = page.locator('[id="status.editor.selection"]');
    await cursor.filter({ hasText: `Ln ${firstRange[1]}, Col 1` }).waitFor({ timeout: 20_000 });
    assert.doesNotMatch((await cursor.textContent()) ?? '', /selected/, 'nothing is selected');
    await page.screenshot({ path: join(ARTIFACTS, 'opened-from-panel.png') });
    await page.keyboard.press('Control+Shift+E');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ timeout: 20_000 });
    // the decoration: coloured, with the rank as badge and the relevance in the label
    await page
      .locator('.explorer-folders-view .monaco-icon-label.monaco-decoration-text-badge[aria-label*="xl3m: #1, relevance 100%"]', { hasText: name })
      .waitFor({ timeout: 20_000 });
    assert.match((await row.locator('.monaco-icon-label').getAttribute('class')) ?? '', /monaco-decoration-itemColor/);
    await page.screenshot({ path: join(ARTIFACTS, 'explorer.png') });
    // the Relevant Files view lists the best files with their relevance, kind and key-context mark
    const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Relevant Files/i }) });
    const header = view.locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const top = view.locator('.monaco-list-row').first();
    await top.waitFor({ timeout: 20_000 });
    const topText = (await top.textContent()) ?? '';
    assert.ok(topText.includes(basename(repo.needlePath)) && /100% · source · read for the answer/.test(topText), topText);
    await page.screenshot({ path: join(ARTIFACTS, 'relevant-files.png') });

    // the workspace's .vscode/settings.json pointed at another server and opted into secrets: ignored
    assert.equal(decoy.requests.length, 0, 'no request reached the server named by the workspace settings');
    const completions = server.requests.filter((r) => r.path === '/v1/completions');
    assert.ok(completions.length > 0);
    const sent = JSON.stringify(server.requests.map((r) => r.body));
    assert.ok(!sent.includes('must-never-be-sent'), '.env was not sent');

    // markup in file names and in model output renders inert
    await ask('Which markup trick is in the evil notes?');
    await wv.locator('#answer', { hasText: 'The markup trick of the evil notes' }).waitFor({ timeout: 60_000 });
    await wv.locator('#summary').waitFor({ timeout: 30_000 });
    // a second question in the same window reads no file that did not change: the warm index
    const summary = (await wv.locator('#summary').textContent()) ?? '';
    const reuse = /\((\d+) read, ([\d.]+k?) unchanged since the last question/.exec(summary);
    assert.ok(reuse, `the summary says what was reused: ${summary}`);
    assert.equal(reuse[1], '0', `no unchanged file read again: ${summary}`);
    // between questions the status bar says what the index holds, and since when
    await page.locator('.statusbar-item', { hasText: /xl3m: [\d,]+ files indexed, updated (just now|\d+ s ago)/ }).waitFor({ timeout: 20_000 });
    // and the index is written to its cache folder (in the background, after the answer is shown)
    const cache = join(tmp, 'cache');
    const written = () => (existsSync(cache) ? readdirSync(cache).filter((f) => f.endsWith(INDEX_SUFFIX)) : []);
    while (written().length === 0) await page.waitForTimeout(100);
    assert.equal(
      await wv.locator('#answer script, #answer img, #answer [onerror], #answer a[href], #answer iframe').count(),
      0,
      'no live markup from the model',
    );
    assert.equal(await wv.locator('#files b, #files img').count(), 0, 'no markup from a file name');
    assert.match((await wv.locator('#answer').textContent()) ?? '', /<script>window\.__pwned=1<\/script>/, 'markup in the answer is shown as text');
    assert.ok((await wv.locator('#files .file-open').allTextContents()).includes(`notes/${EVIL_NAME}`), 'the file name is shown as text');
    assert.equal(await wv.locator('body').evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'nothing ran');
    await wv
      .locator('#answer a', { hasText: 'click me' })
      .click()
      .catch(() => {});
    assert.equal(await wv.locator('body').evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined, 'a javascript: link does nothing');
    await page.screenshot({ path: join(ARTIFACTS, 'inert-markup.png') });

    // cancellation mid-run keeps a partial ranking
    server.options.delayMs = 1500;
    await ask('How does the client build the request headers for authentication?');
    await wv.locator('#progress', { hasText: /scoring \[.*\] [1-9]\d*\/\d+/ }).waitFor({ timeout: 60_000 });
    // a run longer than a second has its notification too, with its progress (a warm question's few tenths of a second has none)
    await page.locator('.notifications-toasts .notification-toast', { hasText: /xl3m.*scoring/ }).waitFor({ timeout: 10_000 });
    await wv.locator('button', { hasText: 'Cancel' }).click();
    await wv.locator('#status', { hasText: /Partial result: cancelled after scoring \d+ of \d+ segments/ }).waitFor({ timeout: 10_000 });
    assert.ok((await wv.locator('#files li.file').count()) > 0, 'the partial ranking is shown');
    await page.screenshot({ path: join(ARTIFACTS, 'cancelled.png') });

    // the last run is also written at once to the extension's workspace storage on the server, so a
    // reload right now cannot lose it to a storage flush that has not happened yet
    const kept = findFiles(join(tmp, 'ud'), 'lastPanelState.json');
    assert.equal(kept.length, 1, 'the panel state file is written');
    assert.match(readFileSync(kept[0]!, 'utf8'), /cancelled after scoring/);

    // after a reload, the panel comes back with its last state (WebviewPanelSerializer)
    await page.reload();
    await workbenchReady();
    await page.locator('.tabs-container .tab', { hasText: 'xl3m' }).click({ timeout: 60_000 });
    await panel()
      .locator('#status', { hasText: /Partial result: cancelled after scoring/ })
      .waitFor({ timeout: 60_000 });
    const restored = await panel().locator('#files li.file .file-open').allTextContents();
    assert.ok(restored.length > 0, 'the restored panel lists the files');
    // the views that show a run come back with the panel: the Relevant Files view and the Explorer badges
    const bestName = basename(restored[0]!);
    await page.keyboard.press('Control+Shift+E');
    const restoredView = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Relevant Files/i }) });
    if ((await restoredView.locator('.pane-header').getAttribute('aria-expanded')) !== 'true') await restoredView.locator('.pane-header').click();
    await restoredView.locator('.monaco-list-row', { hasText: bestName }).first().waitFor({ timeout: 30_000 });
    // opened from the restored panel, the Explorer reveals the best file with its badge
    await panel().locator('#files li.file .file-open').first().click();
    await page
      .locator('.explorer-folders-view .monaco-icon-label.monaco-decoration-text-badge[aria-label*="xl3m: #1,"]', { hasText: bestName })
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'after-reload.png') });

    const activation = findActivationTime(join(tmp, 'ud'));
    console.log(`e2e: extension activated in ${activation} ms; screenshots in ${ARTIFACTS}`);
  } finally {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'last.png') }).catch(() => {});
  }
});

test('a local GGUF model and no server: ranked and answered by llama.cpp in a child process of the extension host', { timeout: 240_000 }, async () => {
  try {
    const model = writeTinyGguf(join(tmp, 'tiny.gguf'), { contextLength: 8192 }).path;
    writeFileSync(join(tmp, 'ud/Machine/settings.json'), JSON.stringify({ 'xl3m.localModel': model, 'xl3m.localContextSize': 8192, 'xl3m.localThreads': 1 }));
    const requestsBefore = server.requests.length;
    await page.reload();
    await workbenchReady();
    await ask(NEEDLE_QUESTION);
    const wv = panel();
    // the panel restored after the reload shows the last run until this one is done
    await wv.locator('#summary', { hasText: 'from the local model tiny.gguf' }).waitFor({ timeout: 180_000 });
    // complete; the user's segment size (1024, set for the server above) does not fit this model's context, and the run says so
    const status =
      (
        await wv
          .locator('#status')
          .textContent()
          .catch(() => '')
      )?.trim() ?? '';
    assert.doesNotMatch(status, /Partial|Failed|Cancelled/, 'a complete run');
    assert.match(status, /The segment size of 1024 tokens does not fit the local model \(\d+ tokens of context\); using \d+/);
    assert.ok((await wv.locator('#files li.file').count()) > 0, 'files are ranked');
    assert.ok(((await wv.locator('#answer').textContent()) ?? '').trim().length > 0, 'the local model answered');
    assert.equal(server.requests.length, requestsBefore, 'no server was asked');
    assert.match(
      (await wv.locator('#summary').textContent()) ?? '',
      /Scoring: prompt log-probabilities from the local model tiny\.gguf \(llama\.cpp, in a child process\)/,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'local-model.png') });

    // llama.cpp is loaded in a child of the extension host, not in the extension host itself
    const withLlama = processes().filter((p) => p.maps.includes('llama-addon.node'));
    // after the reload, the previous window's extension host may still be on its way out: the parent is one of them
    const hosts = processes().filter((p) => p.cmdline.includes('type=extensionHost'));
    assert.ok(hosts.length > 0, 'the extension host process is found');
    assert.equal(withLlama.length, 1, `one process holds llama.cpp: ${withLlama.map((p) => p.cmdline).join(' | ')}`);
    assert.ok(
      hosts.some((h) => h.pid === withLlama[0]!.ppid),
      `it is a child of an extension host (parent ${withLlama[0]!.ppid}, hosts ${hosts.map((h) => h.pid).join(', ')})`,
    );
    assert.ok(!withLlama[0]!.cmdline.includes('type=extensionHost'), 'not the extension host itself');
    assert.ok(withLlama[0]!.cmdline.includes('localModelWorker.js'));
  } finally {
    await page.screenshot({ path: join(ARTIFACTS, 'local-model-last.png') }).catch(() => {});
  }
});

test("@xl3m in the Chat view, answered by the user's own VS Code model with references; the language-model tool called", { timeout: 300_000 }, async () => {
  try {
    // a test-only extension gives Chat a model (offline, no Copilot) and drives the tool as an agent would
    const fakeVsix = join(tmp, 'fake-model.vsix');
    const vsce = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', fakeVsix],
      { cwd: join(__dirname, 'fake-model'), encoding: 'utf8' },
    );
    assert.equal(vsce.status, 0, `${vsce.stdout}\n${vsce.stderr}`);
    const install = installExtension({ userDataDir: join(tmp, 'ud'), extensionsDir: join(tmp, 'exts') }, fakeVsix);
    assert.ok(install.ok, install.output);
    // no scoring server and no local model: the ranking is lexical and the chat's model answers; Chat on
    writeFileSync(join(tmp, 'ud/Machine/settings.json'), JSON.stringify({}));
    const user = JSON.parse(readFileSync(join(tmp, 'ud/User/settings.json'), 'utf8'));
    writeFileSync(join(tmp, 'ud/User/settings.json'), JSON.stringify({ ...user, 'chat.disableAIFeatures': false }));
    await page.goto(url);
    await workbenchReady();

    await runCommand('xl3m test: Ask @xl3m in Chat');
    const chat = page.locator('.interactive-session');
    await chat.locator('.interactive-item-container', { hasText: 'Fake model: the codename is PURPLE-ELEPHANT-42' }).first().waitFor({ timeout: 120_000 });
    const reply = chat.locator('.interactive-response').last();
    // the key-context files are the reply's references; the ranking is a button
    // (the list may be folded under "Completed N steps": attached is what counts, not shown)
    const used = reply.locator('.chat-used-context, .chat-content-references', { hasText: /reference/i }).first();
    await used.waitFor({ state: 'attached', timeout: 30_000 });
    assert.match((await used.textContent()) ?? '', /[1-9]\d* references?/i);
    await reply
      .locator('.monaco-button, a.monaco-button', { hasText: /Show the ranking/ })
      .first()
      .waitFor({ timeout: 30_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'chat.png') });

    // the tool, called as agent mode would (vscode.lm.invokeTool)
    await runCommand('xl3m test: Invoke the xl3m tool');
    const deadline = Date.now() + 120_000;
    let result: string[] = [];
    while (Date.now() < deadline && !(result = findFiles(join(tmp, 'ud'), 'tool-result.txt')).length) await new Promise((r) => setTimeout(r, 250));
    assert.equal(result.length, 1, 'the tool answered');
    const text = readFileSync(result[0]!, 'utf8');
    assert.match(text, new RegExp(`^1\\. ${repo.needlePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(100%`, 'm'), text.slice(0, 400));
    assert.ok(text.includes(NEEDLE_ANSWER), 'with an excerpt of the lines that answer');
  } finally {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'chat-last.png') }).catch(() => {});
  }
});

/** This user's processes: pid, parent, command line and mapped files (Linux /proc). */
function processes(): { pid: number; ppid: number; cmdline: string; maps: string }[] {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({
        pid: Number(name),
        ppid,
        cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' '),
        maps: readFileSync(`/proc/${name}/maps`, 'utf8'),
      });
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return out;
}

function findFiles(dir: string, name: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => basename(p) === name)
    .map((p) => join(dir, p));
}

function findActivationTime(dir: string): string {
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) stack.push(p);
      else if (name.endsWith('.log')) {
        const m = /activated in ([\d.]+) ms/.exec(readFileSync(p, 'utf8'));
        if (m) return m[1]!;
      }
    }
  }
  return 'unknown';
}
