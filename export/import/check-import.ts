/**
 * The checks an import must pass before anything is written: the author's reference outputs
 * reproduced by ONNX Runtime (every output that has a reference file, within float32 tolerance),
 * and every Vae method run through the SDK on the new manifest, with finite results of the right
 * shapes and means inside the input range.
 */
import type { GraphSession, RuntimeBackend, TensorData } from '../../src/runtime/backend.js';
import { fillUniform } from '../../src/sampler/index.js';
import type { VaeManifest } from '../../src/manifest/schema.js';
import { Vae } from '../../src/vae/vae.js';
import { VaekitError } from '../../src/errors.js';
import type { GraphRoles } from './infer-roles.js';

/** torch.testing's float32 defaults, as `vaekit export` uses: |onnx − reference| ≤ absolute + relative·|reference|. */
export const REFERENCE_TOLERANCE = { absolute: 1e-5, relative: 1.3e-6 } as const;

export interface ImportCheck {
  graph: 'encoder' | 'decoder' | 'sdk';
  /** What was checked, e.g. `output 'mu' vs reference/encoder/mu.npy` or `sample(5)`. */
  check: string;
  /** The figure: max |diff| and worst/tolerance, or what was found. */
  result: string;
  passed: boolean;
}

export type Reference = Record<string, TensorData>;

const rowsOf = (t: TensorData) => t.dims[0] ?? 0;

/** Runs `session` on `feeds` (n rows each) in chunks of the graph's fixed batch, zero-padding the last. */
async function runRows(session: GraphSession, feeds: Record<string, TensorData>, n: number, fixedBatch: number | null, outputs: string[]): Promise<Record<string, TensorData>> {
  const chunk = fixedBatch ?? n;
  const out: Record<string, TensorData> = {};
  for (let start = 0; start < n; start += chunk) {
    const count = Math.min(chunk, n - start);
    const part = Object.fromEntries(
      Object.entries(feeds).map(([name, t]) => {
        const row = t.data.length / n;
        const data = new Float32Array(chunk * row);
        data.set(t.data.subarray(start * row, (start + count) * row));
        return [name, { data, dims: [chunk, ...t.dims.slice(1)] }];
      }),
    );
    const results = await session.run(part, outputs);
    for (const [name, t] of Object.entries(results)) {
      const row = t.data.length / chunk;
      out[name] ??= { data: new Float32Array(n * row), dims: [n, ...t.dims.slice(1)] };
      out[name]!.data.set(t.data.subarray(0, count * row), start * row);
    }
  }
  return out;
}

function compare(actual: Float32Array, expected: Float32Array): { maxAbsDiff: number; worst: number } {
  let maxAbsDiff = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i]! - expected[i]!);
    maxAbsDiff = Math.max(maxAbsDiff, diff);
    worst = Math.max(worst, diff / (REFERENCE_TOLERANCE.absolute + REFERENCE_TOLERANCE.relative * Math.abs(expected[i]!)));
  }
  return { maxAbsDiff, worst };
}

/** Compares every output that has a reference, running the graph on the reference inputs. */
async function checkReference(
  graph: 'encoder' | 'decoder',
  bytes: Uint8Array,
  roles: GraphRoles,
  inputNames: string[],
  outputNames: string[],
  reference: Reference,
  backend: RuntimeBackend,
): Promise<ImportCheck[]> {
  const unknown = Object.keys(reference).filter((name) => !inputNames.includes(name) && !outputNames.includes(name));
  if (unknown.length) {
    throw new VaekitError('invalid-argument', `reference/${graph}/ holds ${unknown.map((n) => `${n}.npy`).join(', ')}, which name no ${graph} input or output (inputs: ${inputNames.join(', ')}; outputs: ${outputNames.join(', ')})`);
  }
  const missing = inputNames.filter((name) => !reference[name]);
  if (missing.length) throw new VaekitError('invalid-argument', `reference/${graph}/ needs ${missing.map((n) => `${n}.npy`).join(', ')} (the ${graph}'s input) to compare its outputs`);
  const feeds = Object.fromEntries(inputNames.map((name) => [name, reference[name]!]));
  const n = rowsOf(feeds[inputNames[0]!]!);
  const compared = outputNames.filter((name) => reference[name]);
  if (compared.length === 0) return [];
  const session = await backend.createSession(bytes);
  try {
    const results = await runRows(session, feeds, n, roles.fixedBatch, compared);
    return compared.map((name) => {
      const expected = reference[name]!;
      const actual = results[name]!;
      if (actual.data.length !== expected.data.length) {
        return { graph, check: `output '${name}' vs reference/${graph}/${name}.npy`, result: `${actual.data.length} values, the reference has ${expected.data.length} ([${expected.dims.join(', ')}])`, passed: false };
      }
      const { maxAbsDiff, worst } = compare(actual.data, expected.data);
      return { graph, check: `output '${name}' vs reference/${graph}/${name}.npy (${n} rows)`, result: `max |diff| ${maxAbsDiff.toExponential(2)}, worst/tolerance ${worst.toFixed(3)}`, passed: worst <= 1 };
    });
  } finally {
    await session.release();
  }
}

const finite = (a: ArrayLike<number>) => Array.prototype.every.call(a, Number.isFinite);

/** An SDK result against the reference of the graph output it comes from. */
function sdkAgainst(check: string, actual: Float32Array, expected: TensorData | undefined, file: string): ImportCheck | null {
  if (!expected) return null;
  if (actual.length !== expected.data.length) return { graph: 'sdk', check: `${check} vs ${file}`, result: `${actual.length} values, the reference has ${expected.data.length}`, passed: false };
  const { maxAbsDiff, worst } = compare(actual, expected.data);
  return { graph: 'sdk', check: `${check} vs ${file}`, result: `max |diff| ${maxAbsDiff.toExponential(2)}, worst/tolerance ${worst.toFixed(3)}`, passed: worst <= 1 };
}

/** Runs each Vae method on `x` (n rows) through the SDK with the new manifest; with references, compares what the SDK returns too. */
async function checkSdk(
  manifest: VaeManifest,
  graphs: { encoder: Uint8Array; decoder: Uint8Array },
  x: Float32Array,
  n: number,
  backend: RuntimeBackend,
  reference: { encoder?: Reference; decoder?: Reference } | undefined,
): Promise<ImportCheck[]> {
  const checks: ImportCheck[] = [];
  const add = (check: string, ok: boolean, result: string) => checks.push({ graph: 'sdk', check, result, passed: ok });
  const against = (row: ImportCheck | null) => row && checks.push(row);
  const enc = manifest.graphs.encoder;
  const dec = manifest.graphs.decoder;
  const [lo, hi] = manifest.input.range;
  const inRange = (a: ArrayLike<number>) => manifest.likelihood.kind !== 'bernoulli' || Array.prototype.every.call(a, (v: number) => v >= lo && v <= hi);
  const vae = await Vae.load({ manifest, encoder: graphs.encoder, decoder: graphs.decoder }, { runtime: backend, onWarning: () => {} });
  try {
    const shape = [n, ...manifest.input.shape];
    const examples = { data: x, shape };
    const { mu, logvar } = await vae.encode(examples);
    add(`encode(${n} rows)`, finite(mu.data) && finite(logvar.data) && mu.shape.join() === `${n},${manifest.latentDim}`, `μ, log σ² [${mu.shape.join(', ')}]${finite(mu.data) && finite(logvar.data) ? ', finite' : ', NOT finite'}`);
    if (reference?.encoder?.[enc.inputs['x']!]) {
      against(sdkAgainst('encode → μ', mu.data, reference.encoder[enc.outputs['mu']!], `${enc.outputs['mu']}.npy`));
      against(sdkAgainst('encode → log σ²', logvar.data, reference.encoder[enc.outputs['logvar']!], `${enc.outputs['logvar']}.npy`));
    }
    const z = reference?.decoder?.[dec.inputs['z']!];
    if (z) {
      const decoded = await vae.decode({ data: z.data, shape: [rowsOf(z), manifest.latentDim] });
      const meanRef = dec.outputs['mean'] ? reference!.decoder![dec.outputs['mean']] : undefined;
      against(sdkAgainst('decode → mean', decoded.mean.data, meanRef, `${dec.outputs['mean']}.npy`));
      const logitsRef = dec.outputs['logits'] ? reference!.decoder![dec.outputs['logits']] : undefined;
      if (logitsRef && decoded.logits) against(sdkAgainst('decode → logits', decoded.logits.data, logitsRef, `${dec.outputs['logits']}.npy`));
    }
    const sampled = await vae.sample(5, { seed: 1 });
    add('sample(5)', finite(sampled.mean.data) && inRange(sampled.mean.data), `mean [${sampled.mean.shape.join(', ')}]${inRange(sampled.mean.data) ? ` in [${lo}, ${hi}]` : ` OUTSIDE [${lo}, ${hi}]`}`);
    const recon = await vae.reconstruct(examples);
    add(`reconstruct(${n} rows)`, finite(recon.data) && inRange(recon.data), `[${recon.shape.join(', ')}]`);
    const line = await vae.interpolate(mu.data.subarray(0, manifest.latentDim), mu.data.subarray(manifest.latentDim, 2 * manifest.latentDim), 3);
    add('interpolate(3 steps)', finite(line.mean.data), `[${line.mean.shape.join(', ')}]`);
    const elbo = await vae.elbo(examples, { seed: 1 });
    add(`elbo(${n} rows)`, finite(elbo.perExample), `mean ELBO ${elbo.mean.toFixed(2)} nats`);
    const nll = await vae.logLikelihood(examples, { k: 16, seed: 1 });
    add(`logLikelihood(${n} rows, k = 16)`, finite(nll.perExample), `mean log p(x) ${nll.mean.toFixed(2)} nats`);
  } finally {
    await vae.dispose();
  }
  return checks;
}

export interface CheckInput {
  manifest: VaeManifest;
  graphs: { encoder: Uint8Array; decoder: Uint8Array };
  roles: { encoder: GraphRoles; decoder: GraphRoles };
  outputs: { encoder: string[]; decoder: string[] };
  reference?: { encoder?: Reference; decoder?: Reference };
  backend: RuntimeBackend;
}

/** Every check; the import passes when all pass. */
export async function checkImport(input: CheckInput): Promise<ImportCheck[]> {
  const { manifest, graphs, roles, reference, backend } = input;
  const checks: ImportCheck[] = [];
  for (const graph of ['encoder', 'decoder'] as const) {
    const ref = reference?.[graph];
    if (ref) checks.push(...(await checkReference(graph, graphs[graph], roles[graph], Object.values(roles[graph].inputs), input.outputs[graph], ref, backend)));
  }
  // The SDK runs on the author's own rows when given, else on seeded rows inside the input range.
  const xName = roles.encoder.inputs['x']!;
  const given = reference?.encoder?.[xName];
  const features = manifest.input.shape.reduce((a, b) => a * b, 1);
  let x: Float32Array;
  let n: number;
  if (given) {
    x = given.data;
    n = rowsOf(given);
  } else {
    n = 8;
    const [lo, hi] = manifest.input.range;
    x = Float32Array.from(fillUniform(new Float64Array(n * features), { seed: 1 }), (u) => lo + (hi - lo) * u);
  }
  checks.push(...(await checkSdk(manifest, graphs, x, n, backend, reference)));
  return checks;
}

/** The checks as a table, as `vaekit export` prints its verification. */
export function formatChecks(checks: ImportCheck[]): string {
  const width = Math.max(...checks.map((c) => c.check.length), 5);
  const lines = [`graph    ${'check'.padEnd(width)}  result`];
  for (const c of checks) lines.push(`${c.graph.padEnd(8)} ${c.check.padEnd(width)}  ${c.result}  ${c.passed ? 'ok' : 'FAILED'}`);
  return lines.join('\n');
}
