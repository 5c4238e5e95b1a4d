/**
 * The anomaly study's pictures as SVG (rendered to PNG with resvg by the report's font helper):
 * histograms of the scores of in-distribution rows and of anomalies with the threshold line, and
 * ROC curves.
 */
import { REPORT_FONT_FAMILY, escapeXml, findReportFont, renderSvg } from '../src/train/report/font.js';
import { niceTicks } from '../src/train/report/loss-curve.js';

export interface HistogramPanel {
  title: string;
  xLabel: string;
  inDistribution: { name: string; values: Float64Array };
  anomalies: { name: string; values: Float64Array };
  /** The flag threshold (score at the 99th percentile of the reference) and its label. */
  threshold: { value: number; label: string };
}

export interface RocCurve {
  name: string;
  color: string;
  dashed?: boolean;
  /** Points (false-positive rate, true-positive rate) from (0, 0) to (1, 1). */
  points: Array<[number, number]>;
  auroc: number;
}

const IN_COLOR = '#1f77b4';
const OUT_COLOR = '#d62728';
const BINS = 60;
const W = 600;
const H = 420;
const M = { left: 70, right: 20, top: 100, bottom: 60 };

/** One histogram panel at x offset `x0`: both score sets as densities over common bins. */
function histogramPanel(p: HistogramPanel, x0: number): string {
  const all = [...p.inDistribution.values, ...p.anomalies.values];
  // Clip the long tails at the 0.5th and 99.5th percentiles of the pooled scores so the bulk stays readable.
  const sorted = Float64Array.from(all).sort();
  const lo = sorted[Math.floor(0.005 * (sorted.length - 1))]!;
  const hi = Math.max(sorted[Math.floor(0.995 * (sorted.length - 1))]!, p.threshold.value);
  const xt = niceTicks(lo, hi, 6);
  const width = (xt.hi - xt.lo) / BINS;
  const density = (values: Float64Array) => {
    const counts = new Float64Array(BINS);
    for (const v of values) counts[Math.min(BINS - 1, Math.max(0, Math.floor((v - xt.lo) / width)))]! += 1;
    return counts.map((c) => c / values.length);
  };
  const a = density(p.inDistribution.values);
  const b = density(p.anomalies.values);
  const yt = niceTicks(0, Math.max(...a, ...b), 5);
  const px = (v: number) => x0 + M.left + ((v - xt.lo) / (xt.hi - xt.lo)) * (W - M.left - M.right);
  const py = (v: number) => H - M.bottom - (v / yt.hi) * (H - M.top - M.bottom);
  const bars = (d: Float64Array, color: string) =>
    Array.from(d, (v, i) => v > 0
      ? `<rect x="${px(xt.lo + i * width).toFixed(1)}" y="${py(v).toFixed(1)}" width="${(px(xt.lo + (i + 1) * width) - px(xt.lo + i * width)).toFixed(1)}" height="${(py(0) - py(v)).toFixed(1)}" fill="${color}" fill-opacity="0.45" stroke="${color}" stroke-width="0.5"/>`
      : '').join('');
  const tx = px(p.threshold.value);
  return [
    `<text x="${x0 + W / 2}" y="${M.top - 42}" font-size="15" font-weight="bold" text-anchor="middle">${escapeXml(p.title)}</text>`,
    axes(x0, xt.ticks.map((t) => [px(t), t.toFixed(xt.decimals)]), yt.ticks.map((t) => [py(t), t.toFixed(Math.max(yt.decimals, 2))]), p.xLabel, 'share of rows per bin'),
    bars(a, IN_COLOR),
    bars(b, OUT_COLOR),
    `<line x1="${tx}" y1="${M.top}" x2="${tx}" y2="${H - M.bottom}" stroke="#222222" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    `<text x="${tx + 4}" y="${M.top + 12}" font-size="11">${escapeXml(p.threshold.label)}</text>`,
    legend(x0 + M.left, M.top - 22, [[p.inDistribution.name, IN_COLOR, false]]),
    legend(x0 + M.left + (W - M.left - M.right) / 2, M.top - 22, [[p.anomalies.name, OUT_COLOR, false]]),
  ].join('\n');
}

function axes(x0: number, xTicks: Array<[number, string]>, yTicks: Array<[number, string]>, xLabel: string, yLabel: string): string {
  const left = x0 + M.left;
  const right = x0 + W - M.right;
  const bottom = H - M.bottom;
  return [
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#222222"/>`,
    `<line x1="${left}" y1="${M.top}" x2="${left}" y2="${bottom}" stroke="#222222"/>`,
    ...xTicks.map(([x, t]) => `<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="#222222"/><text x="${x}" y="${bottom + 19}" font-size="11" text-anchor="middle">${t}</text>`),
    ...yTicks.map(([y, t]) => `<line x1="${left - 5}" y1="${y}" x2="${left}" y2="${y}" stroke="#222222"/><text x="${left - 8}" y="${y + 4}" font-size="11" text-anchor="end">${t}</text>`),
    `<text x="${(left + right) / 2}" y="${H - 18}" font-size="13" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(${x0 + 18} ${(M.top + bottom) / 2}) rotate(-90)" font-size="13" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  ].join('\n');
}

function legend(x: number, y: number, items: Array<[string, string, boolean]>): string {
  return items.map(([name, color, dashed], i) =>
    `<line x1="${x}" y1="${y + i * 18}" x2="${x + 22}" y2="${y + i * 18}" stroke="${color}" stroke-width="6"${dashed ? ' stroke-dasharray="5 3"' : ''} stroke-opacity="${dashed ? 1 : 0.6}"/>` +
    `<text x="${x + 28}" y="${y + i * 18 + 4}" font-size="11">${escapeXml(name)}</text>`).join('\n');
}

function document(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<g font-family="${REPORT_FONT_FAMILY}" fill="#222222">`,
    `<text x="${width / 2}" y="24" font-size="17" font-weight="bold" text-anchor="middle">${escapeXml(title)}</text>`,
    ...body,
    '</g>',
    '</svg>',
  ].join('\n');
}

/** Panels side by side under one title, as PNG bytes. */
export function histogramsPng(title: string, panels: readonly HistogramPanel[]): Uint8Array {
  const svg = document(W * panels.length, H, title, panels.map((p, i) => histogramPanel(p, i * W)));
  return renderSvg(svg, findReportFont()).asPng();
}

/** ROC curves (one square panel) with the chance diagonal, as PNG bytes. */
export function rocPng(title: string, curves: readonly RocCurve[]): Uint8Array {
  const size = 520;
  const m = { left: 70, right: 20, top: 50, bottom: 60 };
  const span = size - m.left - m.right;
  const px = (v: number) => m.left + v * span;
  const py = (v: number) => m.top + (1 - v) * span;
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const body = [
    `<rect x="${m.left}" y="${m.top}" width="${span}" height="${span}" fill="none" stroke="#222222"/>`,
    ...ticks.map((t) => `<text x="${px(t)}" y="${py(0) + 18}" font-size="11" text-anchor="middle">${t}</text><text x="${m.left - 8}" y="${py(t) + 4}" font-size="11" text-anchor="end">${t}</text>`),
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#999999" stroke-dasharray="4 4"/>`,
    ...curves.map((c) => `<polyline fill="none" stroke="${c.color}" stroke-width="2"${c.dashed ? ' stroke-dasharray="7 4"' : ''} points="${c.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`),
    `<text x="${px(0.5)}" y="${size + 12}" font-size="13" text-anchor="middle">false-positive rate (in-distribution rows flagged)</text>`,
    `<text transform="translate(20 ${m.top + span / 2}) rotate(-90)" font-size="13" text-anchor="middle">true-positive rate (anomalies flagged)</text>`,
    ...curves.map((c, i) =>
      `<line x1="${px(0.08)}" y1="${py(0.9) + i * 18}" x2="${px(0.08) + 22}" y2="${py(0.9) + i * 18}" stroke="${c.color}" stroke-width="2"${c.dashed ? ' stroke-dasharray="7 4"' : ''}/>` +
      `<text x="${px(0.08) + 28}" y="${py(0.9) + i * 18 + 4}" font-size="11">${escapeXml(`${c.name}: AUROC ${c.auroc.toFixed(4)}`)}</text>`),
  ];
  return renderSvg(document(size + 40, size + 30, title, [`<g transform="translate(20 0)">`, ...body, '</g>']), findReportFont()).asPng();
}
