import type { VaeManifest } from '../src/manifest/schema.js';
import type { VerificationReport } from './verify.js';
import { formatVerification } from './verify.js';

export interface ModelCardOptions {
  manifest: VaeManifest;
  verification: VerificationReport | null;
  precisionCost: VerificationReport | null;
  /** The command that trained the model, e.g. `vaekit train --data mnist --epochs 20 --seed 1`. */
  trainCommand?: string;
  /** The command that exported it. */
  exportCommand?: string;
  /** Picture files in the model folder: `samples.png`, `reconstructions.png`. */
  pictures?: string[];
}

const PICTURE_CAPTIONS: Record<string, string> = {
  'samples.png': 'Samples from the prior (decoder mean)',
  'reconstructions.png': 'Test examples beside their reconstructions (decoder mean at z = μ)',
  'latent-match.png': 'Encoded test latents per dimension against the prior N(0, 1)',
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const metric = (value: number | null | undefined, digits = 2) => (value == null ? '—' : value.toFixed(digits));

/** README.md of an exported model: what it is, how it was made, how good it is, what it holds. */
export function modelCard(options: ModelCardOptions): string {
  const m = options.manifest;
  const t = m.training;
  const lines: string[] = [`# ${m.name}`, ''];
  lines.push(
    m.description ??
      `A variational autoencoder with a ${m.latentDim}-dimensional latent space and a ${m.likelihood.kind} decoder, ` +
        `exported by vaekit ${m.producer.version} to ONNX (IR ${m.onnx.irVersion}, opset ${m.onnx.opset}).`,
    '',
  );
  for (const picture of options.pictures ?? []) {
    const caption = PICTURE_CAPTIONS[picture] ?? picture;
    lines.push(`![${caption}](${picture})`, '', `*${caption}*`, '');
  }
  lines.push('## Data and training', '');
  if (t) {
    lines.push(
      `- data: ${t.dataset}; input ${m.input.shape.join('×')} (${m.input.layout}), values in [${m.input.range.join(', ')}]`,
      `- epochs ${t.epochs}, seed ${t.seed}, TensorFlow.js backend \`${t.backend}\``,
    );
    if (options.trainCommand) lines.push('', '```sh', options.trainCommand, '```');
    lines.push('', '| metric (test split) | value |', '|---|---|');
    const rows: Array<[string, string]> = [
      ['−ELBO (nats per example)', metric(t.metrics['testNegElbo'])],
      ['reconstruction term (nats)', metric(t.metrics['testRecon'])],
      ['KL term (nats)', metric(t.metrics['testKl'])],
      [`NLL, importance-sampled K = ${t.metrics['iwaeSamples'] ?? '—'} (nats)`, metric(t.metrics['testIwaeNll'])],
      ['bits per dimension (−ELBO)', metric(t.metrics['testBitsPerDim'], 4)],
      [`active units (of ${m.latentDim})`, metric(t.metrics['activeUnits'], 0)],
    ];
    // Older manifests have no latent-match figure; show the row only when it was measured.
    if (t.metrics['latentMmd'] != null) rows.push(['latent match to N(0, I): MMD² of encoded z (0 = matched)', metric(t.metrics['latentMmd'], 4)]);
    for (const [name, value] of rows) lines.push(`| ${name} | ${value} |`);
  } else {
    lines.push('No training record (exported from a model trained elsewhere).');
  }
  lines.push('', '## Graphs', '', '| file | size | parameters | SHA-256 |', '|---|---|---|---|');
  for (const g of [m.graphs.encoder, m.graphs.decoder]) {
    lines.push(`| \`${g.file}\` | ${kib(g.bytes)} | ${g.parameters.toLocaleString('en-US')} | \`${g.sha256.slice(0, 16)}…\` |`);
  }
  const io = (g: VaeManifest['graphs']['encoder']) => `${Object.keys(g.inputs).join(', ')} → ${Object.keys(g.outputs).join(', ')}`;
  lines.push(
    '',
    `- encoder: ${io(m.graphs.encoder)}; decoder: ${io(m.graphs.decoder)} (float32, batch dimension \`N\`)`,
    `- weights stored as ${m.precision}; computation is float32`,
    `- prior N(0, I); ε comes from vaekit's seeded sampler, no random operators in the graphs`,
  );
  if (options.exportCommand) lines.push('', '```sh', options.exportCommand, '```');
  if (options.verification) {
    lines.push('', '## Verification', '', 'Both graphs were run in ONNX Runtime and compared with the TensorFlow.js model at export:', '', '```');
    lines.push(formatVerification(options.verification), '```');
  }
  if (options.precisionCost) {
    lines.push('', 'Cost of fp16 weights (the fp16 graphs against the fp32 TensorFlow.js model):', '', '```');
    lines.push(formatVerification(options.precisionCost, { gate: false }), '```');
  }
  lines.push('');
  return lines.join('\n');
}
