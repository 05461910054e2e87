// The few VS Code classes the chat participant and the tool construct, and a chat response stream
// that records what was sent to it, for running their handlers in plain Node against VS Code's types.
import type * as vscode from 'vscode';
import { posix } from 'node:path';
import { pathToFileURL } from 'node:url';

export class FakeUri {
  constructor(
    readonly scheme: string,
    readonly path: string,
    readonly fragment = '',
  ) {}
  static parse(value: string) {
    const url = new URL(value);
    return new FakeUri(url.protocol.slice(0, -1), decodeURIComponent(url.pathname), url.hash.slice(1));
  }
  static file(path: string) {
    return FakeUri.parse(pathToFileURL(path).href);
  }
  static joinPath(base: FakeUri, ...parts: string[]) {
    return new FakeUri(base.scheme, posix.join(base.path, ...parts));
  }
  get authority() {
    return '';
  }
  with(change: { fragment?: string }) {
    return new FakeUri(this.scheme, this.path, change.fragment ?? this.fragment);
  }
  get fsPath() {
    return this.path;
  }
  toString() {
    return `${this.scheme}://${encodeURI(this.path)}${this.fragment ? `#${this.fragment}` : ''}`;
  }
}

export class FakeRange {
  constructor(
    readonly startLine: number,
    readonly startCharacter: number,
    readonly endLine: number,
    readonly endCharacter: number,
  ) {}
}

export class FakeLocation {
  constructor(
    readonly uri: FakeUri,
    readonly range: FakeRange,
  ) {}
}

export class FakeMarkdownString {
  value = '';
  constructor(value = '') {
    this.value = value;
  }
  appendMarkdown(text: string) {
    this.value += text;
    return this;
  }
}

export class FakeTextPart {
  constructor(readonly value: string) {}
}

export class FakeToolResult {
  constructor(readonly content: FakeTextPart[]) {}
}

export const fakeVs = {
  Uri: FakeUri,
  Range: FakeRange,
  Location: FakeLocation,
  MarkdownString: FakeMarkdownString,
  LanguageModelTextPart: FakeTextPart,
  LanguageModelToolResult: FakeToolResult,
} as unknown as typeof vscode;

export type Recorded =
  | { kind: 'markdown'; text: string }
  | { kind: 'progress'; text: string }
  | { kind: 'reference'; value: FakeUri | FakeLocation }
  | { kind: 'button'; command: string; title: string }
  | { kind: 'other'; method: string };

/** A ChatResponseStream that records every call, in order. */
export function recordingStream(): { stream: vscode.ChatResponseStream; calls: Recorded[]; markdown(): string } {
  const calls: Recorded[] = [];
  const text = (v: string | { value: string }) => (typeof v === 'string' ? v : v.value);
  const stream = {
    markdown: (v: string | { value: string }) => void calls.push({ kind: 'markdown', text: text(v) }),
    progress: (v: string) => void calls.push({ kind: 'progress', text: v }),
    reference: (value: FakeUri | FakeLocation) => void calls.push({ kind: 'reference', value }),
    button: (c: { command: string; title: string }) => void calls.push({ kind: 'button', command: c.command, title: c.title }),
    anchor: () => void calls.push({ kind: 'other', method: 'anchor' }),
    filetree: () => void calls.push({ kind: 'other', method: 'filetree' }),
    push: () => void calls.push({ kind: 'other', method: 'push' }),
  } as unknown as vscode.ChatResponseStream;
  return { stream, calls, markdown: () => calls.flatMap((c) => (c.kind === 'markdown' ? [c.text] : [])).join('') };
}

/** A cancellation token the test cancels. */
export function cancellation() {
  const listeners: (() => void)[] = [];
  const token = {
    isCancellationRequested: false,
    onCancellationRequested: (listener: () => void) => {
      listeners.push(listener);
      return { dispose: () => listeners.splice(listeners.indexOf(listener), 1) };
    },
  };
  return {
    token: token as unknown as vscode.CancellationToken,
    cancel: () => {
      token.isCancellationRequested = true;
      for (const l of [...listeners]) l();
    },
  };
}
