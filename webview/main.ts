// The answer panel. Everything from file names or the model is put in the DOM as text, except the
// answer's markdown, which is rendered by marked and sanitised by DOMPurify before it is inserted.
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import type { HostMessage, PanelState, WebviewMessage } from '../extension/vscode/protocol';
import { EMPTY_STATE, unhandled } from '../extension/vscode/protocol';
import { citationPattern } from '../extension/core/report/citation';

declare function acquireVsCodeApi(): { postMessage(m: WebviewMessage): void; getState(): unknown; setState(s: PanelState): void };

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
let state: PanelState = { ...EMPTY_STATE, ...((vscode.getState() as PanelState | undefined) ?? {}) };
let answerFrame = 0;

const post = (m: WebviewMessage) => vscode.postMessage(m);

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; title?: string; id?: string } = {},
  ...children: (Node | null)[]
) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title) node.title = props.title;
  if (props.id) node.id = props.id;
  for (const c of children) if (c) node.appendChild(c);
  return node;
}

function button(text: string, className: string, onClick: () => void, title?: string) {
  const b = el('button', { className, text, title });
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

const STATUS_TEXT: Record<PanelState['status'], string> = {
  idle: '',
  running: 'Working…',
  done: '',
  partial: 'Partial result',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

function render() {
  vscode.setState(state);
  app.replaceChildren();
  if (state.status === 'idle' && !state.question) {
    app.append(
      el('p', { className: 'empty', text: 'Ask a question about this workspace: xl3m reads every file, keeps the ones that matter, and answers from them.' }),
      button('Ask the Codebase', 'primary', () => post({ type: 'ask' })),
    );
    return;
  }
  const actions = el('div', { className: 'actions' });
  if (state.status === 'running') actions.append(button('Cancel', 'secondary', () => post({ type: 'cancel' }), 'Stop this run and keep what was scored'));
  else
    actions.append(
      button('Ask again', 'secondary', () => post({ type: 'askAgain' }), 'Ask the same question again, with the current pins'),
      button('New question', 'primary', () => post({ type: 'ask' })),
    );
  app.append(el('header', {}, el('h1', { className: 'question', id: 'question', text: state.question, title: state.question }), actions));

  const statusLine = [STATUS_TEXT[state.status], state.message].filter(Boolean).join(': ');
  app.append(el('div', { className: `status status-${state.status}`, id: 'status', text: statusLine }));
  app.append(el('div', { className: 'progress', id: 'progress', text: state.status === 'running' ? state.progress : '' }));

  const answer = el('div', { className: 'markdown', id: 'answer' });
  fillAnswer(answer);
  if (state.answer || (state.status === 'running' && state.expectAnswer))
    app.append(el('section', { className: 'answer' }, el('h2', { text: 'Answer' }), answer));
  if (state.files.length) app.append(renderFiles());
  if (state.summary) app.append(el('footer', { className: 'summary', id: 'summary', text: state.summary }));
  if (state.skipped.length) {
    const list = el('ul');
    for (const s of state.skipped) list.append(el('li', {}, el('code', { text: s.path }), document.createTextNode(` — ${s.reason}`)));
    const count = Math.max(state.skippedFiles || 0, state.skipped.length);
    if (count > state.skipped.length) list.append(el('li', { text: `… and ${count - state.skipped.length} more` }));
    app.append(el('details', { className: 'skipped' }, el('summary', { text: `${count} files left out` }), list));
  }
}

let showAll = false;

function renderFiles() {
  const listed = showAll ? state.files.length : Math.min(state.files.length, state.listedFiles || 30);
  const list = el('ol', { className: 'files', id: 'files' });
  for (const f of state.files.slice(0, listed)) {
    const pinned = state.pinned.includes(f.path);
    const first = f.ranges[0];
    const relevance = Math.round(100 * (f.relevance ?? 0));
    const open = button(f.path, 'file-open', () => post({ type: 'open', path: f.path, line: first?.start ?? 1, endLine: first?.end }), `Open ${f.path}`);
    const ranges = el('span', { className: 'ranges' });
    for (const r of f.ranges)
      ranges.append(
        button(r.start === r.end ? `L${r.start}` : `L${r.start}-${r.end}`, 'range', () => post({ type: 'open', path: f.path, line: r.start, endLine: r.end })),
      );
    const fill = el('div', { className: 'fill' });
    fill.style.width = `${Math.max(2, relevance)}%`;
    const why = `${relevance}% of the best file's relevance (raw score ${f.score.toPrecision(4)}, higher = more relevant)`;
    const bar = el('div', { className: 'bar', title: why }, fill);
    const tags = el('span', { className: 'tags' });
    if (f.kind) tags.append(el('span', { className: `kind kind-${f.kind}`, text: f.kind, title: `kind: ${f.kind}` }));
    if (f.inKeyContext) tags.append(el('span', { className: 'in-context', text: 'read for the answer', title: 'The answer is written from these lines' }));
    if (f.mentioned) tags.append(el('span', { className: 'mentioned', text: 'named', title: 'The question names this file' }));
    const pin = button(
      pinned ? 'Unpin' : 'Pin',
      'pin',
      () => post({ type: 'togglePin', path: f.path }),
      pinned ? 'Stop including this file in every question' : 'Include this file in every question',
    );
    const item = el(
      'li',
      { className: `file${pinned ? ' pinned' : ''}${f.inKeyContext ? ' key-context' : ''}` },
      el('div', { className: 'row' }, open, el('span', { className: 'score', text: `${relevance}%`, title: why })),
      el('div', { className: 'row details' }, bar, tags, ranges, pin),
    );
    // the definitions of names the question gives, each opening its line
    if (f.definitions?.length)
      item.append(
        el(
          'div',
          { className: 'row definitions' },
          ...f.definitions.map((d) =>
            button(
              `defines ${d.name} (${d.kind}) L${d.line}`,
              'definition',
              () => post({ type: 'open', path: f.path, line: d.line, endLine: d.line }),
              `Open ${f.path}:${d.line}`,
            ),
          ),
        ),
      );
    list.append(item);
  }
  const ranked = Math.max(state.rankedFiles || 0, state.files.length);
  const heading = el('h2', { text: `Relevant files (${listed} of ${ranked})` });
  const section = el('section', {}, heading, list);
  if (listed < state.files.length) {
    section.append(
      button(`Show ${state.files.length - listed} more`, 'secondary more', () => {
        showAll = true;
        render();
      }),
    );
  }
  return section;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// Raw HTML in the model's markdown is shown as the text it is (answers about code quote markup).
marked.use({ renderer: { html: ({ text }) => escapeHtml(text) } });

const CITATION = citationPattern();

function fillAnswer(target: HTMLElement) {
  const html = marked.parse(state.answer, { async: false, gfm: true, breaks: false }) as string;
  target.innerHTML = DOMPurify.sanitize(html, { FORBID_TAGS: ['style', 'img', 'form', 'input', 'iframe'], FORBID_ATTR: ['style'] });
  for (const a of target.querySelectorAll('a')) {
    a.removeAttribute('href'); // nothing navigates the panel; citations below are the only links
    a.classList.add('inert-link');
  }
  linkCitations(target);
}

/** Turns `path:line` (and `path:first-last`) in the answer's text into buttons that open the file. */
function linkCitations(root: HTMLElement) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  while (walker.nextNode()) nodes.push(walker.currentNode as Text);
  for (const node of nodes) {
    const text = node.data;
    CITATION.lastIndex = 0;
    if (!CITATION.test(text)) continue;
    CITATION.lastIndex = 0;
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const m of text.matchAll(CITATION)) {
      frag.append(text.slice(last, m.index));
      const path = m[1]!;
      const line = Number(m[2]);
      const end = m[3] ? Number(m[3]) : undefined;
      frag.append(
        button(m[0], 'citation', () => post({ type: 'open', path, line, ...(end && end >= line ? { endLine: end } : {}) }), `Open ${path} at line ${line}`),
      );
      last = m.index! + m[0].length;
    }
    frag.append(text.slice(last));
    node.replaceWith(frag);
  }
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const m = event.data;
  switch (m.type) {
    case 'state':
      state = m.state;
      render();
      return;
    case 'update':
      state = { ...state, ...m.change };
      render();
      return;
    case 'progress': {
      state = { ...state, progress: m.text };
      vscode.setState(state);
      const p = document.getElementById('progress');
      if (p) p.textContent = m.text;
      return;
    }
    case 'answerDelta':
      state = { ...state, answer: state.answer + m.text };
      if (!answerFrame) {
        answerFrame = requestAnimationFrame(() => {
          answerFrame = 0;
          vscode.setState(state);
          const a = document.getElementById('answer');
          if (a) fillAnswer(a);
          else render();
        });
      }
      return;
    default:
      unhandled(m);
  }
});

render();
post({ type: 'ready' });
