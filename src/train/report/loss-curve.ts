import { VaekitError, describeValue } from '../../errors.js';
import { writeFileAtomic } from '../run/atomic-write.js';
import { REPORT_FONT_FAMILY, escapeXml, findReportFont, renderSvg } from './font.js';

/** One epoch's numbers, in nats (per example). */
export interface LossCurveEpoch {
  epoch: number;
  trainNegElbo: number;
  testNegElbo: number;
  testKl: number;
  /** The test reconstruction term; drawn dashed in the −ELBO panel where given. */
  testRecon?: number;
}

export interface LossCurveOptions {
  /** Chart title; default "Training: −ELBO and KL per epoch". */
  title?: string;
  /** Picture size in pixels; default 900×500. */
  width?: number;
  height?: number;
  /** Font file to use instead of the system's DejaVu Sans. */
  fontFile?: string;
}

/** The line colours, so tests and readers can find each series. */
export const LOSS_CURVE_COLORS = {
  train: '#1f77b4',
  test: '#ff7f0e',
  testRecon: '#2ca02c',
  testKl: '#9467bd',
} as const;

/** Ticks at a "nice" step (1, 2 or 5 × 10^k) covering [min, max]. */
export interface NiceTicks {
  lo: number;
  hi: number;
  step: number;
  ticks: number[];
  /** Decimals that show every tick exactly. */
  decimals: number;
}

/**
 * Nice axis ticks: about `target` steps of 1, 2 or 5 × 10^k from a multiple of the step at or below
 * `min` to one at or above `max`. A zero-width range is widened (±5 %, or ±1 around 0);
 * `minStep` (e.g. 1 for epochs) bounds the step from below.
 *
 * @example
 * ```ts
 * niceTicks(0.3, 9.2).ticks; // [0, 2, 4, 6, 8, 10]
 * ```
 */
export function niceTicks(min: number, max: number, target = 5, minStep = 0): NiceTicks {
  if (!(max - min > Math.max(Math.abs(min), Math.abs(max)) * 1e-9)) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.05;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  let step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
  step = Math.max(step, minStep);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toFixed(decimals)) + 0);
  return { lo: ticks[0]!, hi: ticks[ticks.length - 1]!, step, ticks, decimals };
}

/**
 * The loss-curve chart as an SVG document: two panels, train and test −ELBO per epoch (with the
 * test reconstruction term dashed where given) and test KL per epoch, each with axes, numbered
 * ticks, axis labels and a legend, under a title.
 *
 * @example
 * ```ts
 * const svg = renderLossCurveSvg([{ epoch: 1, trainNegElbo: 160, testNegElbo: 150, testKl: 20 }]);
 * ```
 */
export function renderLossCurveSvg(history: readonly LossCurveEpoch[], options: LossCurveOptions = {}): string {
  checkHistory(history);
  const width = options.width ?? 900;
  const height = options.height ?? 500;
  for (const [name, value, min] of [['width', width, 500], ['height', height, 300]] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new VaekitError('invalid-argument', `${name}: expected an integer ≥ ${min}, found ${describeValue(value)}`);
    }
  }
  const title = options.title ?? 'Training: −ELBO and KL per epoch';
  const epochs = history.map((h) => h.epoch);
  const recon = history.filter((h) => h.testRecon !== undefined);
  const half = width / 2;

  const left = panel({
    x0: 0,
    width: half,
    height,
    epochs,
    yLabel: '−ELBO (nats)',
    series: [
      { name: 'train −ELBO', color: LOSS_CURVE_COLORS.train, epochs, values: history.map((h) => h.trainNegElbo) },
      { name: 'test −ELBO', color: LOSS_CURVE_COLORS.test, epochs, values: history.map((h) => h.testNegElbo) },
      ...(recon.length === 0
        ? []
        : [{
            name: 'test reconstruction',
            color: LOSS_CURVE_COLORS.testRecon,
            dashed: true,
            epochs: recon.map((h) => h.epoch),
            values: recon.map((h) => h.testRecon!),
          }]),
    ],
  });
  const right = panel({
    x0: half,
    width: half,
    height,
    epochs,
    yLabel: 'KL (nats)',
    series: [{ name: 'test KL', color: LOSS_CURVE_COLORS.testKl, epochs, values: history.map((h) => h.testKl) }],
  });

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<g font-family="${REPORT_FONT_FAMILY}" fill="#222222">`,
    `<text x="${width / 2}" y="30" font-size="18" font-weight="bold" text-anchor="middle">${escapeXml(title)}</text>`,
    left,
    right,
    '</g>',
    '</svg>',
  ].join('\n');
}

/**
 * Renders the loss curves (see {@link renderLossCurveSvg}) to PNG bytes, 900×500 by default.
 * Text uses DejaVu Sans; without it this throws `backend-unavailable` naming
 * `apt-get install fonts-dejavu-core`.
 *
 * @example
 * ```ts
 * const png = encodeLossCurve(history, { title: 'mnist-mlp, seed 1' });
 * ```
 */
export function encodeLossCurve(history: readonly LossCurveEpoch[], options: LossCurveOptions = {}): Uint8Array {
  const svg = renderLossCurveSvg(history, options);
  return renderSvg(svg, findReportFont(options.fontFile)).asPng();
}

/**
 * {@link encodeLossCurve}, written to `path` atomically.
 *
 * @example
 * ```ts
 * await writeLossCurve('runs/mnist-mlp/loss.png', history);
 * ```
 */
export async function writeLossCurve(
  path: string,
  history: readonly LossCurveEpoch[],
  options: LossCurveOptions = {},
): Promise<void> {
  await writeFileAtomic(path, encodeLossCurve(history, options));
}

interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  epochs: number[];
  values: number[];
}

const TICK_FONT = 12;
const INSET = 10;
/** DejaVu Sans digits are 0.636 em wide; a little more covers '.' and '−'. */
const CHAR_WIDTH = TICK_FONT * 0.64;

/** One panel: axes, grid, ticks, axis labels, legend and the series' lines. */
function panel(p: { x0: number; width: number; height: number; epochs: number[]; yLabel: string; series: Series[] }): string {
  const xs = niceTicks(p.epochs[0]!, p.epochs[p.epochs.length - 1]!, 5, 1);
  const all = p.series.flatMap((s) => s.values);
  const ys = niceTicks(Math.min(...all), Math.max(...all), 5);
  const yText = ys.ticks.map((t) => formatNumber(t, ys.decimals));
  const tickLabelWidth = Math.max(...yText.map((t) => t.length)) * CHAR_WIDTH;

  const left = p.x0 + 34 + tickLabelWidth + 10;
  const right = p.x0 + p.width - 24;
  const top = 84;
  const bottom = p.height - 58;
  // Data are drawn INSET pixels inside the frame, so points at the ends stay off the axes.
  const sx = (v: number) => round(left + INSET + ((v - xs.lo) / (xs.hi - xs.lo)) * (right - left - 2 * INSET));
  const sy = (v: number) => round(bottom - INSET - ((v - ys.lo) / (ys.hi - ys.lo)) * (bottom - top - 2 * INSET));

  const out: string[] = ['<g>'];
  // Grid lines, then the axes on top of them.
  for (const t of ys.ticks) out.push(`<line x1="${left}" x2="${right}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e4e4e4"/>`);
  for (const t of xs.ticks) out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${top}" y2="${bottom}" stroke="#f0f0f0"/>`);
  out.push(`<path d="M${left} ${top}V${bottom}H${right}" fill="none" stroke="#444444" stroke-width="1.2"/>`);
  ys.ticks.forEach((t, i) => {
    out.push(`<line x1="${left - 5}" x2="${left}" y1="${sy(t)}" y2="${sy(t)}" stroke="#444444"/>`);
    out.push(`<text x="${left - 8}" y="${sy(t) + 4}" font-size="${TICK_FONT}" text-anchor="end">${yText[i]}</text>`);
  });
  for (const t of xs.ticks) {
    out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${bottom}" y2="${bottom + 5}" stroke="#444444"/>`);
    out.push(`<text x="${sx(t)}" y="${bottom + 19}" font-size="${TICK_FONT}" text-anchor="middle">${formatNumber(t, xs.decimals)}</text>`);
  }
  // Axis labels.
  const midY = round((top + bottom) / 2);
  out.push(`<text x="${round((left + right) / 2)}" y="${bottom + 42}" font-size="13" text-anchor="middle">epoch</text>`);
  out.push(`<text transform="translate(${p.x0 + 24} ${midY}) rotate(-90)" font-size="13" text-anchor="middle">${escapeXml(p.yLabel)}</text>`);

  // Lines, with a dot per epoch while there are few enough to tell apart (so one epoch shows).
  for (const s of p.series) {
    const points = s.epochs.map((e, i) => `${sx(e)},${sy(s.values[i]!)}`);
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : '';
    if (points.length > 1) {
      out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2.2" stroke-linejoin="round"${dash}/>`);
    }
    if (points.length <= 40) {
      s.epochs.forEach((e, i) => out.push(`<circle cx="${sx(e)}" cy="${sy(s.values[i]!)}" r="3.2" fill="${s.color}"/>`));
    }
  }

  // Legend: one row above the plot, from its left edge unless that would run into the next panel.
  const legendWidth = p.series.reduce((w, s) => w + legendEntryWidth(s.name), 0);
  let lx = Math.max(p.x0 + 16, Math.min(left, p.x0 + p.width - 8 - legendWidth));
  for (const s of p.series) {
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : '';
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${top - 16}" y2="${top - 16}" stroke="${s.color}" stroke-width="2.5"${dash}/>`);
    out.push(`<text x="${lx + 30}" y="${top - 12}" font-size="13">${escapeXml(s.name)}</text>`);
    lx += legendEntryWidth(s.name);
  }
  out.push('</g>');
  return out.join('\n');
}

/** Sample line, gap, text (estimated generously: DejaVu Sans averages under 0.62 em) and spacing. */
function legendEntryWidth(name: string): number {
  return 30 + name.length * 13 * 0.62 + 18;
}

/** Fixed decimals, a real minus sign, and no "-0". */
function formatNumber(v: number, decimals: number): string {
  const text = (Math.abs(v) < 0.5 * 10 ** -decimals ? 0 : v).toFixed(decimals);
  return text.startsWith('-') ? `−${text.slice(1)}` : text;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function checkHistory(history: readonly LossCurveEpoch[]): void {
  if (!Array.isArray(history) || history.length === 0) {
    throw new VaekitError('invalid-argument', `history: expected a non-empty array of epochs, found ${describeValue(history)}`);
  }
  history.forEach((h, i) => {
    for (const key of ['epoch', 'trainNegElbo', 'testNegElbo', 'testKl', 'testRecon'] as const) {
      const v: unknown = h?.[key];
      if (key === 'testRecon' && v === undefined) continue;
      if (typeof v !== 'number') {
        throw new VaekitError('invalid-data', `history[${i}].${key}: expected a number, found ${describeValue(v)}`);
      }
      if (!Number.isFinite(v)) {
        throw new VaekitError('non-finite', `history[${i}].${key}: expected a finite number, found ${v}`);
      }
    }
    if (i > 0 && !(h.epoch > history[i - 1]!.epoch)) {
      throw new VaekitError(
        'invalid-data',
        `history[${i}].epoch: expected epochs in increasing order, found ${h.epoch} after ${history[i - 1]!.epoch}`,
      );
    }
  });
}
