import type { LineRange } from './core/types';

export function formatRanges(ranges: LineRange[]): string {
  return ranges.map((r) => (r.start === r.end ? `L${r.start}` : `L${r.start}-${r.end}`)).join(', ');
}
