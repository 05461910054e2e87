// Messages between the extension (or any caller) and the child process that runs the local model
// (`localModelWorker.ts`). One job runs at a time; every reply names the job it belongs to.
import type { ScoreRequest } from '../scorer';
import type { Certainty } from '../../types';

export type ToWorker =
  | { type: 'load'; id: number; path: string; contextSize?: number; threads?: number }
  | { type: 'score'; id: number; requests: ScoreRequest[]; question: string }
  | { type: 'answer'; id: number; keyContext: string; question: string; maxTokens?: number }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'loaded'; id: number; name: string; contextSize: number; sampleTokens: number }
  | { type: 'result'; id: number; index: number; certainty: Certainty; promptTokens: number }
  | { type: 'failure'; id: number; index: number; message: string }
  | { type: 'delta'; id: number; text: string }
  | { type: 'done'; id: number; text?: string }
  | { type: 'cancelled'; id: number }
  | { type: 'error'; id: number; message: string };
