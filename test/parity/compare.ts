/**
 * The suite's checks (docs/architecture.md, "Parity tolerances"): sampler quantities bit for bit; model
 * outputs |a − b| ≤ atol + rtol·|b| against the reference (ort-node cpu), atol 1e-5 for
 * tfjs/cpu/wasm and 1e-4 for WebGPU, rtol 1.3e-6 (float32 Bernoulli logits reach −40, where one
 * ulp is 4e-6: export/verify.ts); log p(x) per example, and vae.anomaly's scores, within 1e-3 nats
 * (1e-2 on WebGPU); the anomaly complexity lengths bit for bit.
 */
import { EXACT_QUANTITIES, type Quantities } from './conformance.js';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export const RTOL = 1.3e-6;
export const TOLERANCES = {
  cpu: { model: { atol: 1e-5, rtol: RTOL }, logLikelihood: { atol: 1e-3, rtol: 0 } },
  webgpu: { model: { atol: 1e-4, rtol: RTOL }, logLikelihood: { atol: 1e-2, rtol: 0 } },
} as const;

export type ToleranceClass = keyof typeof TOLERANCES;

export interface QuantityCheck {
  /** 'bit-identical' or the tolerance as text. */
  rule: string;
  maxAbsDiff: number;
  /** Elements outside the rule. */
  failures: number;
  /** The worst element (largest excess over the tolerance, or the first differing bit pattern). */
  worst: { index: number; value: number; reference: number } | null;
  pass: boolean;
}

export function ruleFor(quantity: string, tolerance: ToleranceClass): Tolerance | 'exact' {
  if ((EXACT_QUANTITIES as readonly string[]).includes(quantity)) return 'exact';
  // vae.anomaly's scores are log p(x) estimates (or one minus a bit-identical length).
  return quantity === 'logLikelihood' || quantity.startsWith('anomaly.') ? TOLERANCES[tolerance].logLikelihood : TOLERANCES[tolerance].model;
}

export function checkQuantity(values: number[] | undefined, reference: number[], rule: Tolerance | 'exact'): QuantityCheck {
  const text = rule === 'exact' ? 'bit-identical' : `≤ ${rule.atol} + ${rule.rtol}·|ref|`;
  if (!values || values.length !== reference.length) {
    return { rule: text, maxAbsDiff: NaN, failures: reference.length, worst: null, pass: false };
  }
  let maxAbsDiff = 0;
  let failures = 0;
  let worst: QuantityCheck['worst'] = null;
  let worstExcess = -Infinity;
  for (let i = 0; i < reference.length; i++) {
    const a = values[i]!;
    const b = reference[i]!;
    const d = Math.abs(a - b);
    if (d > maxAbsDiff || Number.isNaN(d)) maxAbsDiff = Number.isNaN(d) ? NaN : Math.max(maxAbsDiff, d);
    const bad = rule === 'exact' ? !Object.is(a, b) : !(d <= rule.atol + rule.rtol * Math.abs(b));
    if (bad) {
      failures++;
      const excess = rule === 'exact' ? d : d - (rule.atol + rule.rtol * Math.abs(b));
      if (!(excess <= worstExcess)) {
        worstExcess = excess;
        worst = { index: i, value: a, reference: b };
      }
    }
  }
  return { rule: text, maxAbsDiff, failures, worst, pass: failures === 0 };
}

export function checkAll(quantities: Quantities, reference: Quantities, tolerance: ToleranceClass): Record<string, QuantityCheck> {
  return Object.fromEntries(Object.keys(reference).map((q) => [q, checkQuantity(quantities[q], reference[q]!, ruleFor(q, tolerance))]));
}

/** A fixed-width text table: one row per runtime, one column per quantity (max |Δ| and ✓/✗). */
export function formatTable(rows: { runtime: string; provider: string; golden: string; ms: string; cells: Record<string, string> }[], quantities: string[]): string {
  const header = ['runtime', 'provider', 'golden', ...quantities, 'ms'];
  const body = rows.map((r) => [r.runtime, r.provider, r.golden, ...quantities.map((q) => r.cells[q] ?? '—'), r.ms]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' │ ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...body.map(line)].join('\n');
}

export function formatCell(check: QuantityCheck): string {
  const diff = Number.isNaN(check.maxAbsDiff) ? 'n/a' : check.maxAbsDiff === 0 ? '0' : check.maxAbsDiff.toExponential(1);
  return `${diff} ${check.pass ? '✓' : `✗${check.failures}`}`;
}
