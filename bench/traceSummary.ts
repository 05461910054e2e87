// `tsx bench/traceSummary.ts TRACE.json`: where a Chromium trace's time went (bench/extensionMonorepo.ts
// --trace writes one): each thread's busy time, then the events that took it, by self time (an
// event's duration less its children's), with the script a function call ran.
import { readFileSync } from 'node:fs';

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string; data?: { url?: string; functionName?: string; frame?: string } };
}

const file = process.argv[2];
if (!file) throw new Error('usage: tsx bench/traceSummary.ts TRACE.json');
const raw = JSON.parse(readFileSync(file, 'utf8')) as TraceEvent[] | { traceEvents: TraceEvent[] };
const events = Array.isArray(raw) ? raw : raw.traceEvents;

const processName = new Map<number, string>();
const threadName = new Map<string, string>();
for (const e of events) {
  if (e.ph !== 'M') continue;
  if (e.name === 'process_name') processName.set(e.pid, e.args?.name ?? '?');
  if (e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
}
const threadLabel = (key: string) => `${processName.get(Number(key.split(':')[0])) ?? '?'} ${key.split(':')[0]} / ${threadName.get(key) ?? key.split(':')[1]}`;

// complete events per thread, in order, nested by time: self time = duration less the children's
const byThread = new Map<string, TraceEvent[]>();
for (const e of events) {
  if (e.ph !== 'X' || e.dur === undefined) continue;
  const key = `${e.pid}:${e.tid}`;
  (byThread.get(key) ?? byThread.set(key, []).get(key)!).push(e);
}
const start = Math.min(...events.filter((e) => e.ts > 0).map((e) => e.ts));
const end = Math.max(...events.filter((e) => e.ph === 'X').map((e) => e.ts + (e.dur ?? 0)));
console.log(`trace: ${((end - start) / 1000).toFixed(0)} ms`);

const rows: { thread: string; busy: number; self: Map<string, number> }[] = [];
for (const [key, list] of byThread) {
  list.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const stack: { end: number; label: string; child: number; dur: number }[] = [];
  let busy = 0;
  const close = (until: number) => {
    while (stack.length && stack.at(-1)!.end <= until) {
      const done = stack.pop()!;
      self.set(done.label, (self.get(done.label) ?? 0) + done.dur - done.child);
      if (stack.length) stack.at(-1)!.child += done.dur;
    }
  };
  for (const e of list) {
    close(e.ts);
    if (!stack.length) busy += e.dur!;
    const data = e.args?.data;
    const where = data?.url ? ` ${data.functionName || '(anonymous)'} @ ${data.url.split('/').slice(-2).join('/')}` : '';
    stack.push({ end: e.ts + e.dur!, label: `${e.name}${where}`, child: 0, dur: e.dur! });
  }
  close(Infinity);
  rows.push({ thread: threadLabel(key), busy, self });
}
rows.sort((a, b) => b.busy - a.busy);
for (const r of rows.slice(0, 12)) {
  if (r.busy < 5000) continue;
  console.log(`\n${r.thread}: busy ${(r.busy / 1000).toFixed(1)} ms`);
  for (const [label, us] of [...r.self].sort((a, b) => b[1] - a[1]).slice(0, 15))
    if (us >= 2000) console.log(`  ${(us / 1000).toFixed(1).padStart(7)} ms  ${label.slice(0, 150)}`);
}
