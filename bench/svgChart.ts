// Small SVG charts for BENCHMARKS.md, written by the benchmarks themselves: no plotting library.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Series {
  name: string;
  points: [number, number][];
}

const W = 720;
const H = 360;
const M = { left: 64, right: 200, top: 36, bottom: 48 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v || 1));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((c) => c >= v) ?? v;
}

function frame(title: string, xLabel: string, yLabel: string, yMax: number, body: string, xTicks: string, legend: string[]): string {
  const ph = H - M.top - M.bottom;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const y = M.top + ph * (1 - f);
      const v = +(yMax * f).toPrecision(3);
      return `<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${M.left - 6}" y="${y + 4}" text-anchor="end">${v}</text>`;
    })
    .join('');
  const keys = legend
    .map(
      (name, i) =>
        `<rect x="${W - M.right + 12}" y="${M.top + i * 18}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${W - M.right + 28}" y="${M.top + i * 18 + 9}">${esc(name)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>
${ticks}${xTicks}${body}${keys}
<text x="${(M.left + W - M.right) / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>
<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>
</svg>
`;
}

/** Lines through points; x and y from 0. */
export function lineChart(path: string, o: { title: string; xLabel: string; yLabel: string; series: Series[] }) {
  const xMax = niceMax(Math.max(...o.series.flatMap((s) => s.points.map((p) => p[0]))));
  const yMax = niceMax(Math.max(...o.series.flatMap((s) => s.points.map((p) => p[1]))));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number) => M.left + (pw * v) / xMax;
  const y = (v: number) => M.top + ph * (1 - v / yMax);
  const body = o.series
    .map((s, i) => {
      const c = COLORS[i % COLORS.length];
      const pts = s.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`);
      return (
        `<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.join(' ')}"/>` +
        pts.map((p) => `<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="${c}"/>`).join('')
      );
    })
    .join('');
  const xTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<text x="${x(xMax * f)}" y="${H - M.bottom + 16}" text-anchor="middle">${+(xMax * f).toPrecision(3)}</text>`)
    .join('');
  write(
    path,
    frame(
      o.title,
      o.xLabel,
      o.yLabel,
      yMax,
      body,
      xTicks,
      o.series.map((s) => s.name),
    ),
  );
}

/** Grouped bars: one group per category, one bar per series; an optional dashed target line. */
export function barChart(
  path: string,
  o: { title: string; yLabel: string; categories: string[]; series: { name: string; values: number[] }[]; target?: number; yMax?: number },
) {
  const yMax = o.yMax ?? niceMax(Math.max(...o.series.flatMap((s) => s.values), o.target ?? 0));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const group = pw / o.categories.length;
  const bar = (group * 0.8) / o.series.length;
  const y = (v: number) => M.top + ph * (1 - v / yMax);
  let body = o.series
    .map((s, si) =>
      s.values
        .map((v, ci) => {
          const x0 = M.left + ci * group + group * 0.1 + si * bar;
          return `<rect x="${x0.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${(M.top + ph - y(v)).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(`${s.name}: ${v}`)}</title></rect>`;
        })
        .join(''),
    )
    .join('');
  if (o.target !== undefined)
    body += `<line x1="${M.left}" x2="${W - M.right}" y1="${y(o.target)}" y2="${y(o.target)}" stroke="#000" stroke-dasharray="5 4"/><text x="${W - M.right - 4}" y="${y(o.target) - 4}" text-anchor="end">target ${o.target}</text>`;
  const xTicks = o.categories.map((c, i) => `<text x="${M.left + (i + 0.5) * group}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(c)}</text>`).join('');
  write(
    path,
    frame(
      o.title,
      '',
      o.yLabel,
      yMax,
      body,
      xTicks,
      o.series.map((s) => s.name),
    ),
  );
}

function write(path: string, svg: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, svg);
}
