// Messages between a host and the child process that reads syntax trees (`structureWorker.ts`):
// a batch of files out, each file's definitions back (null: its syntax is not read, the
// declaration patterns apply), in the batch's order.
import type { Definition } from './definitions';

export interface ToStructureWorker {
  id: number;
  files: { path: string; text: string }[];
}

export type FromStructureWorker = { id: number; definitions: (Definition[] | null)[]; problems: string[] } | { id: number; error: string };
