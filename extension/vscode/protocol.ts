// The messages between the extension host and the answer panel's webview. Imported by both
// sides and by nothing else; type-only imports keep it free of Node and VS Code code.
import type { RankedFile } from '../core/types';

export type RunStatus = 'idle' | 'running' | 'done' | 'partial' | 'cancelled' | 'failed';

/** Everything the panel shows; also what is saved to restore the panel after a reload. */
export interface PanelState {
  question: string;
  status: RunStatus;
  /** One line of progress while running. */
  progress: string;
  /** The best files of the ranking, most relevant first (at most a few hundred; `rankedFiles` says how many were ranked). */
  files: RankedFile[];
  rankedFiles: number;
  /** How many of `files` are listed before "Show more". */
  listedFiles: number;
  answer: string;
  /** A model will write an answer (false with no model: the panel shows no empty Answer section). */
  expectAnswer: boolean;
  /** Why a result is partial, cancelled or failed. */
  message: string;
  /** e.g. "635 files, 586k tokens, 228 segments in 4.4 s". */
  summary: string;
  /** The first of the files left out (a few hundred at most: a large repository leaves out thousands); `skippedFiles` says how many. */
  skipped: { path: string; reason: string }[];
  skippedFiles: number;
  pinned: string[];
}

export const EMPTY_STATE: PanelState = {
  question: '',
  status: 'idle',
  progress: '',
  files: [],
  rankedFiles: 0,
  listedFiles: 30,
  answer: '',
  expectAnswer: false,
  message: '',
  summary: '',
  skipped: [],
  skippedFiles: 0,
  pinned: [],
};

export type HostMessage =
  | { type: 'state'; state: PanelState }
  /** The parts of the state that changed (a run's end does not send its 500 files again). */
  | { type: 'update'; change: Partial<PanelState> }
  | { type: 'progress'; text: string }
  | { type: 'answerDelta'; text: string };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'open'; path: string; line: number; endLine?: number }
  | { type: 'ask' }
  | { type: 'askAgain' }
  | { type: 'cancel' }
  | { type: 'togglePin'; path: string };

/** Messages from the webview are untrusted input (it renders model output): check their shape. */
export function parseWebviewMessage(data: unknown): WebviewMessage | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'ask':
    case 'askAgain':
    case 'cancel':
      return { type: m.type };
    case 'open':
      if (typeof m.path !== 'string' || !Number.isInteger(m.line) || (m.line as number) < 1) return undefined;
      return {
        type: 'open',
        path: m.path,
        line: m.line as number,
        ...(Number.isInteger(m.endLine) && (m.endLine as number) >= (m.line as number) ? { endLine: m.endLine as number } : {}),
      };
    case 'togglePin':
      return typeof m.path === 'string' ? { type: 'togglePin', path: m.path } : undefined;
    default:
      return undefined;
  }
}

/** For the `default` of a switch over a message type: it compiles only when every type has its case. */
export function unhandled(message: never): never {
  throw new Error(`unhandled message ${JSON.stringify(message)}`);
}
