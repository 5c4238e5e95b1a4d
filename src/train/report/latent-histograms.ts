import { VaekitError, describeValue } from '../../errors.js';
import { writeFileAtomic } from '../run/atomic-write.js';
import type { LatentMatch } from '../objective/latent-match.js';
import { REPORT_FONT_FAMILY, escapeXml, findReportFont, renderSvg } from './font.js';
import { niceTicks } from './loss-curve.js';

export interface LatentHistogramsOptions {
  /** A line under the title, e.g. the model ("mnist · mlp 784-400-20 · bernoulli · seed 1"); default none. */
  subtitle?: string;
  /** Panels per row; default 5. */
  columns?: number;
  /** Font file to use instead of the system's DejaVu Sans. */
  fontFile?: string;
}

/** The colours of the bars and of the prior's density curve, so tests and readers can find them. */
export const LATENT_HISTOGRAM_COLORS = {
  bars: '#8db8de',
  prior: '#d62728',
} as const;

/** At most this many panels: with more latent dimensions, those whose std strays furthest from 1. */
export const LATENT_HISTOGRAM_MAX_PANELS = 32;

/** Histograms cover z in [−X_LIMIT, X_LIMIT]; the share of z outside is printed at each edge. */
const X_LIMIT = 4;
const PANEL_WIDTH = 200;
const PANEL_HEIGHT = 150;
const MARGIN = 20;
const MIN_WIDTH = 760;

/**
 * The latent-match picture as an SVG document: one panel per latent dimension j (5 per row), each
 * the density histogram of the encoded z_j over [−4, 4] with the N(0, 1) density drawn over it,
 * the dimension's mean μ and std σ (from `match`), and the share of z_j beyond ±4 at either edge
 * when there is any. Each panel has its own y scale; the prior curve is the common yardstick. The
 * title gives the MMD² to N(0, I). With more than 32 dimensions only the 32 whose σ strays
 * furthest from 1 are drawn, in dimension order, and the title says so.
 *
 * @param z - the encoded latents, n × J row-major: one z ~ q(z|x) per example.
 * @param n - examples (rows of `z`).
 * @param J - latent dimensions (columns of `z`).
 * @param match - `latentMatch(z, n, J, …)`: per-dimension mean and std, and the MMD².
 * @throws VaekitError `invalid-argument` naming the argument when a size or `match` does not
 *   fit; `non-finite` naming the entry when `z` or `match` holds NaN or ±Infinity (`match.mmd`
 *   may be NaN: it is shown as "n/a").
 *
 * @example
 * ```ts
 * const z = fillStandardNormal(new Float32Array(1000 * 20), { seed: 1 }); // 1 000 examples, J = 20
 * const match = latentMatch(z, 1000, 20, { seed: 1, stream: STREAMS.latentMatch });
 * const svg = renderLatentHistogramsSvg(z, 1000, 20, match, { subtitle: 'mnist · mlp 784-400-20 · seed 1' });
 * ```
 */
export function renderLatentHistogramsSvg(
  z: Float32Array,
  n: number,
  J: number,
  match: LatentMatch,
  options: LatentHistogramsOptions = {},
): string {
  checkInputs(z, n, J, match);
  const columnsOption = options.columns ?? 5;
  if (!Number.isInteger(columnsOption) || columnsOption < 1) {
    throw new VaekitError('invalid-argument', `columns: expected an integer ≥ 1, found ${describeValue(columnsOption)}`);
  }
  if (options.subtitle !== undefined && typeof options.subtitle !== 'string') {
    throw new VaekitError('invalid-argument', `subtitle: expected a string, found ${describeValue(options.subtitle)}`);
  }

  const dims = shownDimensions(match.std, J);
  const columns = Math.min(columnsOption, dims.length);
  const rows = Math.ceil(dims.length / columns);
  const width = Math.max(MIN_WIDTH, columns * PANEL_WIDTH + 2 * MARGIN);

  const header: string[] = [];
  let y = 30;
  const mmd = Number.isNaN(match.mmd) ? 'n/a' : formatSigned(match.mmd, 4);
  const draws = `${match.mmdSamples} draw${match.mmdSamples === 1 ? '' : 's'}`;
  header.push(textLine(`Encoded test latents vs N(0, I) · MMD² ${mmd} (${draws})`, width, y, 18, true));
  if (dims.length < J) {
    y += 22;
    header.push(textLine(
      `showing the ${dims.length} of ${J} dimensions whose σ strays furthest from 1`, width, y, 14, true,
    ));
  }
  if (options.subtitle !== undefined && options.subtitle !== '') {
    y += 21;
    header.push(textLine(options.subtitle, width, y, 13, false, '#555555'));
  }
  y += 25;
  const key = legend(width, y);
  header.push(key.svg);
  const gridTop = y + key.height - 4;
  const height = gridTop + rows * PANEL_HEIGHT + 8;
  const gridLeft = round((width - columns * PANEL_WIDTH) / 2);

  const panels = dims.map((j, k) =>
    panel({
      x0: gridLeft + (k % columns) * PANEL_WIDTH,
      y0: gridTop + Math.floor(k / columns) * PANEL_HEIGHT,
      j,
      values: column(z, n, J, j),
      mean: match.mean[j]!,
      std: match.std[j]!,
    }),
  );

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<g font-family="${REPORT_FONT_FAMILY}" fill="#222222">`,
    ...header,
    ...panels,
    '</g>',
    '</svg>',
  ].join('\n');
}

/**
 * Renders the latent-match picture (see {@link renderLatentHistogramsSvg}) to PNG bytes. Text
 * uses DejaVu Sans; without it this throws `backend-unavailable` naming
 * `apt-get install fonts-dejavu-core`.
 *
 * @example
 * ```ts
 * const z = fillStandardNormal(new Float32Array(1000 * 20), { seed: 1 });
 * const png = encodeLatentHistograms(z, 1000, 20, latentMatch(z, 1000, 20, { seed: 1, stream: STREAMS.latentMatch }));
 * ```
 */
export function encodeLatentHistograms(
  z: Float32Array,
  n: number,
  J: number,
  match: LatentMatch,
  options: LatentHistogramsOptions = {},
): Uint8Array {
  const svg = renderLatentHistogramsSvg(z, n, J, match, options);
  return renderSvg(svg, findReportFont(options.fontFile)).asPng();
}

/**
 * {@link encodeLatentHistograms}, written to `path` atomically.
 *
 * @example
 * ```ts
 * const z = fillStandardNormal(new Float32Array(1000 * 20), { seed: 1 });
 * const match = latentMatch(z, 1000, 20, { seed: 1, stream: STREAMS.latentMatch });
 * await writeLatentHistograms('runs/demo/latent-match.png', z, 1000, 20, match, { subtitle: 'N(0, I) draws' });
 * ```
 */
export async function writeLatentHistograms(
  path: string,
  z: Float32Array,
  n: number,
  J: number,
  match: LatentMatch,
  options: LatentHistogramsOptions = {},
): Promise<void> {
  await writeFileAtomic(path, encodeLatentHistograms(z, n, J, match, options));
}

/** Every dimension, or the LATENT_HISTOGRAM_MAX_PANELS with the largest |σ − 1| (ties: lower index), in index order. */
function shownDimensions(std: readonly number[], J: number): number[] {
  const all = Array.from({ length: J }, (_, j) => j);
  if (J <= LATENT_HISTOGRAM_MAX_PANELS) return all;
  const stray = (j: number) => Math.abs(std[j]! - 1);
  return all
    .sort((a, b) => stray(b) - stray(a) || a - b)
    .slice(0, LATENT_HISTOGRAM_MAX_PANELS)
    .sort((a, b) => a - b);
}

function column(z: Float32Array, n: number, J: number, j: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = z[i * J + j]!;
  return out;
}

/** Rice's rule (2·n^⅓) rounded to an even count, so 0 is a bin edge, between 8 and 40. */
function binCount(n: number): number {
  return Math.min(40, Math.max(8, 2 * Math.round(Math.cbrt(n))));
}

/** Standard normal density. */
function normalDensity(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** One dimension: header (z_j, μ, σ), histogram, N(0, 1) curve, x axis with ticks, overflow shares. */
function panel(p: { x0: number; y0: number; j: number; values: Float32Array; mean: number; std: number }): string {
  const n = p.values.length;
  const bins = binCount(n);
  const binWidth = (2 * X_LIMIT) / bins;
  const counts = new Float64Array(bins);
  let below = 0;
  let above = 0;
  for (const v of p.values) {
    if (v < -X_LIMIT) below++;
    else if (v > X_LIMIT) above++;
    else counts[Math.min(bins - 1, Math.floor((v + X_LIMIT) / binWidth))]!++;
  }
  // Density over all n examples: the bars' area is the share of z_j inside [−4, 4].
  const density = Array.from(counts, (c) => c / (n * binWidth));
  const yMax = Math.max(normalDensity(0), ...density) * 1.1;

  const left = p.x0 + 17;
  const right = p.x0 + PANEL_WIDTH - 17;
  const top = p.y0 + 26;
  const bottom = p.y0 + PANEL_HEIGHT - 32;
  const sx = (v: number) => round(left + ((v + X_LIMIT) / (2 * X_LIMIT)) * (right - left));
  // With shares beyond ±4 to print in the top corners, the data stay below them.
  const dataTop = below > 0 || above > 0 ? top + 15 : top;
  const sy = (d: number) => round(bottom - (d / yMax) * (bottom - dataTop));

  const out: string[] = [`<g id="z${p.j}">`];
  out.push(`<rect class="plot-area" x="${left}" y="${top}" width="${round(right - left)}" height="${round(bottom - top)}" fill="#f7f7f7"/>`);
  const xs = niceTicks(-X_LIMIT, X_LIMIT, 4);
  for (const t of xs.ticks) {
    out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${top}" y2="${bottom}" stroke="${t === 0 ? '#c8c8c8' : '#e6e6e6'}"/>`);
  }
  // Bars, with hairline gaps between them.
  density.forEach((d, b) => {
    if (d === 0) return;
    const x1 = sx(-X_LIMIT + b * binWidth);
    const x2 = sx(-X_LIMIT + (b + 1) * binWidth);
    out.push(
      `<rect x="${x1}" y="${sy(d)}" width="${round(x2 - x1)}" height="${round(bottom - sy(d))}" ` +
        `fill="${LATENT_HISTOGRAM_COLORS.bars}" stroke="#ffffff" stroke-width="0.5"/>`,
    );
  });
  // The prior's density, over the bars.
  const points: string[] = [];
  for (let k = 0; k <= 80; k++) {
    const x = -X_LIMIT + (k * 2 * X_LIMIT) / 80;
    points.push(`${sx(x)},${sy(normalDensity(x))}`);
  }
  out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${LATENT_HISTOGRAM_COLORS.prior}" stroke-width="2" stroke-linejoin="round"/>`);
  // Axis and ticks.
  out.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#444444" stroke-width="1.2"/>`);
  for (const t of xs.ticks) {
    out.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${bottom}" y2="${bottom + 4}" stroke="#444444"/>`);
    out.push(`<text x="${sx(t)}" y="${bottom + 16}" font-size="11" text-anchor="middle">${formatSigned(t, xs.decimals)}</text>`);
  }
  // Header: the dimension, then its mean and std.
  out.push(`<text x="${left}" y="${p.y0 + 16}" font-size="14" font-weight="bold">z<tspan dy="3" font-size="11">${p.j}</tspan></text>`);
  out.push(
    `<text x="${right}" y="${p.y0 + 16}" font-size="12" text-anchor="end">μ ${formatSigned(p.mean, 2)}<tspan dx="9">σ ${formatSigned(p.std, 2)}</tspan></text>`,
  );
  // Shares beyond ±4, inside the plot's top corners.
  if (below > 0) out.push(`<text x="${left + 3}" y="${top + 12}" font-size="10" fill="#555555">${escapeXml(`← ${formatShare(below / n)}`)}</text>`);
  if (above > 0) {
    out.push(`<text x="${right - 3}" y="${top + 12}" font-size="10" fill="#555555" text-anchor="end">${escapeXml(`${formatShare(above / n)} →`)}</text>`);
  }
  out.push('</g>');
  return out.join('\n');
}

/** The legend: what the bars, the curve and the numbers are; one line, or more when too wide. Returns its SVG and height. */
function legend(width: number, y: number): { svg: string; height: number } {
  const items = [
    { swatch: `<rect x="0" y="-10" width="18" height="11" fill="${LATENT_HISTOGRAM_COLORS.bars}"/>`, text: 'encoded z, one per test example (density)' },
    { swatch: `<line x1="0" x2="18" y1="-4" y2="-4" stroke="${LATENT_HISTOGRAM_COLORS.prior}" stroke-width="2.5"/>`, text: 'prior density N(0, 1)' },
    { swatch: '', text: 'μ, σ: mean and std of the dimension · ← →: share beyond ±4' },
  ];
  const GAP = 26;
  // 12 px DejaVu Sans averages under 0.6 em per character.
  const widths = items.map((item) => (item.swatch === '' ? 0 : 24) + item.text.length * 12 * 0.6);
  const lines: number[][] = [[]];
  let used = 0;
  items.forEach((_, k) => {
    const line = lines[lines.length - 1]!;
    if (line.length > 0 && used + GAP + widths[k]! > width - 2 * MARGIN) {
      lines.push([k]);
      used = widths[k]!;
    } else {
      used += (line.length > 0 ? GAP : 0) + widths[k]!;
      line.push(k);
    }
  });
  const out: string[] = ['<g font-size="12" fill="#444444">'];
  lines.forEach((line, row) => {
    const lineWidth = line.reduce((w, k) => w + widths[k]!, 0) + GAP * (line.length - 1);
    let x = round((width - lineWidth) / 2);
    const baseline = y + row * 18;
    for (const k of line) {
      const item = items[k]!;
      if (item.swatch !== '') out.push(`<g transform="translate(${x} ${baseline})">${item.swatch}</g>`);
      out.push(`<text x="${round(x + (item.swatch === '' ? 0 : 24))}" y="${baseline}">${escapeXml(item.text)}</text>`);
      x = round(x + widths[k]! + GAP);
    }
  });
  out.push('</g>');
  return { svg: out.join('\n'), height: lines.length * 18 };
}

/**
 * A centred line of text, made smaller (down to 10 px) and then cut with "…" to fit the width.
 * DejaVu Sans averages under 0.6 em (bold: 0.66 em) per character.
 */
function textLine(text: string, width: number, y: number, size: number, bold: boolean, fill?: string): string {
  const em = bold ? 0.66 : 0.6;
  const room = width - 2 * MARGIN;
  let fitted = text;
  let fontSize = size;
  while (fitted.length * fontSize * em > room && fontSize > 10) fontSize--;
  if (fitted.length * fontSize * em > room) fitted = `${fitted.slice(0, Math.floor(room / (fontSize * em)) - 1)}…`;
  const weight = bold ? ' font-weight="bold"' : '';
  const color = fill === undefined ? '' : ` fill="${fill}"`;
  return `<text x="${width / 2}" y="${y}" font-size="${fontSize}"${weight}${color} text-anchor="middle">${escapeXml(fitted)}</text>`;
}

/** Fixed decimals, a real minus sign, and no "-0". */
function formatSigned(v: number, decimals: number): string {
  const text = (Math.abs(v) < 0.5 * 10 ** -decimals ? 0 : v).toFixed(decimals);
  return text.startsWith('-') ? `−${text.slice(1)}` : text;
}

/** A share as a percentage: one decimal, or "< 0.1 %". */
function formatShare(share: number): string {
  return share < 0.001 ? '< 0.1 %' : `${(share * 100).toFixed(1)} %`;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function checkInputs(z: Float32Array, n: number, J: number, match: LatentMatch): void {
  if (!(z instanceof Float32Array)) {
    throw new VaekitError('invalid-argument', `z: expected a Float32Array of n × J latents, found ${describeValue(z)}`);
  }
  if (!Number.isInteger(n) || n < 1) {
    throw new VaekitError('invalid-argument', `n: expected an integer ≥ 1 (the number of examples), found ${describeValue(n)}`);
  }
  if (!Number.isInteger(J) || J < 1) {
    throw new VaekitError('invalid-argument', `J: expected an integer ≥ 1 (the latent dimensions), found ${describeValue(J)}`);
  }
  if (z.length !== n * J) {
    throw new VaekitError(
      'invalid-argument',
      `z: expected n·J = ${n}·${J} = ${n * J} values (one row of J latents per example), found ${describeValue(z)}`,
    );
  }
  for (let k = 0; k < z.length; k++) {
    if (!Number.isFinite(z[k]!)) {
      const i = Math.floor(k / J);
      throw new VaekitError('non-finite', `z: expected finite values, found ${z[k]} at index ${k} (example ${i}, dimension ${k - i * J})`);
    }
  }
  if (match === null || typeof match !== 'object') {
    throw new VaekitError('invalid-argument', `match: expected a LatentMatch (from latentMatch), found ${describeValue(match)}`);
  }
  for (const key of ['mean', 'std'] as const) {
    const values: unknown = match[key];
    if (!Array.isArray(values) || values.length !== J) {
      throw new VaekitError('invalid-argument', `match.${key}: expected an array of J = ${J} numbers, found ${describeValue(values)}`);
    }
    values.forEach((v: unknown, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new VaekitError(typeof v === 'number' ? 'non-finite' : 'invalid-argument', `match.${key}[${j}]: expected a finite number, found ${describeValue(v)}`);
      }
    });
  }
  if (typeof match.mmd !== 'number' || match.mmd === Infinity || match.mmd === -Infinity) {
    throw new VaekitError(
      typeof match.mmd === 'number' ? 'non-finite' : 'invalid-argument',
      `match.mmd: expected a finite number (or NaN when not computed), found ${describeValue(match.mmd)}`,
    );
  }
  if (!Number.isInteger(match.mmdSamples) || match.mmdSamples < 0) {
    throw new VaekitError('invalid-argument', `match.mmdSamples: expected an integer ≥ 0, found ${describeValue(match.mmdSamples)}`);
  }
}
