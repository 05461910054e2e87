// `npm run bench:scheduling`: scored tokens/s through the product's HTTP client divided by the
// capacity of simulated servers (each in its own process), for 1, 8 and 32 slots and 4 endpoints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompletionsScorer } from '../extension/core/model/families/vllm';
import { MultiEndpointScorer } from '../extension/core/model/scorers/multiEndpointScorer';
import { spawnSimulatedServer } from './simulatedServer';
import { barChart } from './svgChart';

const CAPACITY = 100_000; // tokens/s per server
const SEGMENT_WORDS = 2400;

const results: { label: string; efficiency: number }[] = [];

/** User + system CPU seconds of a process so far (Linux /proc). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

async function run(label: string, servers: number, slots: number, segments: number, spans: 'token-ids' | 'text', inFlight = slots) {
  const started = await Promise.all(Array.from({ length: servers }, () => spawnSimulatedServer(slots, CAPACITY)));
  try {
    const text = Array.from({ length: SEGMENT_WORDS }, (_, i) => `word${i % 97}`).join(' ');
    const requests = Array.from({ length: segments }, (_, index) => ({ index, text: `${index} ${text}` }));
    const members = started.map(
      (s) => new CompletionsScorer({ endpoint: { baseUrl: s.url, model: 'sim' }, concurrency: inFlight, promptsPerRequest: 1, spans }),
    );
    const scorer = members.length === 1 ? members[0]! : new MultiEndpointScorer(members.map((m) => ({ scorer: m, concurrency: inFlight, batchSize: 1 })));
    const cpu = () => process.cpuUsage().user + process.cpuUsage().system;
    const serverCpu = () => started.reduce((a, s) => a + processCpuSeconds(s.child.pid!), 0);
    const [clientBefore, serversBefore] = [cpu(), serverCpu()];
    const t = performance.now();
    await scorer.score(requests, 'What does word42 do?', { onResult: () => {}, onFailure: (_i, e) => console.error(e.message) });
    const seconds = (performance.now() - t) / 1000;
    const busy = `CPU ${((cpu() - clientBefore) / 1e6 / seconds).toFixed(2)} client + ${((serverCpu() - serversBefore) / seconds).toFixed(2)} servers of 2 cores`;
    const tokens = scorer.stats.promptTokens; // as the servers counted them
    const efficiency = tokens / seconds / (CAPACITY * servers);
    results.push({ label, efficiency });
    console.log(
      `${label.padEnd(58)} ${(tokens / seconds).toFixed(0).padStart(8)} tok/s of ${CAPACITY * servers} -> efficiency ${efficiency.toFixed(3)} (${seconds.toFixed(1)} s, ${scorer.stats.attempts} HTTP attempts; ${busy})`,
    );
  } finally {
    for (const s of started) s.child.kill();
  }
}

async function main() {
  console.log(`simulated servers: ${CAPACITY} prefill tokens/s each, ${SEGMENT_WORDS}-token segments`);
  const setups = ['1 slot', '8 slots', '32 slots', '8 slots x 4 endpoints'];
  for (const spans of ['text', 'token-ids'] as const) {
    for (const factor of [1, 2]) {
      const note = `${spans}, ${factor}x slots in flight`;
      // about 8 s of server time each, so that the ramp-up and the tail (the last requests, up to
      // one prefill time per slot) weigh as little as they do in a real multi-million-token run
      await run(`1 slot, 1 endpoint (${note})`, 1, 1, 320, spans, factor);
      await run(`8 slots, 1 endpoint (${note})`, 1, 8, 320, spans, 8 * factor);
      await run(`32 slots, 1 endpoint (${note})`, 1, 32, 320, spans, 32 * factor);
      await run(`8 slots x 4 endpoints (${note})`, 4, 8, 1280, spans, 8 * factor);
    }
  }
  const series = ['text, 1x', 'text, 2x', 'token-ids, 1x', 'token-ids, 2x'].map((name, k) => ({
    name: `${name} slots in flight`,
    values: setups.map((_, i) => +results[k * 4 + i]!.efficiency.toFixed(3)),
  }));
  barChart(join(__dirname, 'plots/scheduling.svg'), {
    title: 'Scheduling efficiency (scored tokens/s / server capacity)',
    yLabel: 'efficiency',
    categories: setups,
    series,
    target: 0.95,
    yMax: 1,
  });
}

main();
