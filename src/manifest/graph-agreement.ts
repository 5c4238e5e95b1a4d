/**
 * Does a graph agree with its manifest? Checked at load, before a session exists: a manifest that
 * says `latentDim: 21` for a 20-latent graph, or an input shape the graph does not have, would
 * otherwise load and then fail inside ONNX Runtime — or, worse, return wrongly shaped results.
 */
import { VaekitError } from '../errors.js';
import { ELEMENT_TYPES, type GraphFacts, type GraphValueInfo } from './graph-inspection.js';
import type { GraphRole, VaeManifest } from './schema.js';

const FLOAT32 = 1;

const shapeText = (dims: readonly (number | string | null)[]) => `[${dims.map((d) => (d === null ? '?' : d)).join(', ')}]`;

/** Values per example the manifest implies for each contract name, and which field says so. */
function expectations(manifest: VaeManifest): Record<string, { values: number; source: string }> {
  const D = manifest.input.shape.reduce((a, b) => a * b, 1);
  const image = { values: D, source: `input.shape ${shapeText(manifest.input.shape)}` };
  const latent = { values: manifest.latentDim, source: `latentDim ${manifest.latentDim}` };
  const classes = manifest.condition ? { values: manifest.condition.classes, source: `condition.classes ${manifest.condition.classes}` } : latent;
  return { x: image, mean: image, logits: image, logvar_x: image, z: latent, mu: latent, logvar: latent, c: classes };
}

/**
 * Throws `unsafe-graph` when a graph keeps tensors in external files (ONNX Runtime would read
 * them from the working directory), and `invalid-manifest` listing every disagreement between
 * the manifest's `graphs` and what both graphs declare: names, element types, and values per
 * example. Dimensions a graph leaves symbolic are not compared here.
 *
 * @example
 * ```ts
 * checkGraphAgreement(manifest, { encoder: inspectGraph(encoderBytes), decoder: inspectGraph(decoderBytes) });
 * ```
 */
export function checkGraphAgreement(manifest: VaeManifest, facts: Record<GraphRole, GraphFacts>): void {
  for (const role of ['encoder', 'decoder'] as const) refuseExternalData(manifest, role, facts[role]);
  const problems = [...graphProblems(manifest, 'encoder', facts.encoder), ...graphProblems(manifest, 'decoder', facts.decoder)];
  if (problems.length) {
    throw new VaekitError('invalid-manifest', `vaekit.json does not describe its graphs (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function refuseExternalData(manifest: VaeManifest, role: GraphRole, facts: GraphFacts): void {
  const entry = manifest.graphs[role];
  if (facts.externalData.length) {
    const list = facts.externalData.slice(0, 3).map((t) => `'${t.tensor}' → ${JSON.stringify(t.location)}`).join(', ');
    throw new VaekitError(
      'unsafe-graph',
      `${role} graph ${entry.file} keeps ${facts.externalData.length} tensor${facts.externalData.length === 1 ? '' : 's'} in external data files (${list}${facts.externalData.length > 3 ? ', …' : ''}); ` +
        'vaekit refuses external data because ONNX Runtime would read those files from the working directory, outside the model folder: ' +
        "store the weights inside the graph (onnx.save_model(model, path, save_as_external_data=False), or torch.onnx.export's default for models under 2 GB)",
    );
  }
}

function graphProblems(manifest: VaeManifest, role: GraphRole, facts: GraphFacts): string[] {
  const entry = manifest.graphs[role];
  const expected = expectations(manifest);
  const problems: string[] = [];
  const names = (list: GraphValueInfo[]) => `[${list.map((v) => v.name).join(', ')}]`;
  const compare = (kind: 'input' | 'output', contract: string, info: GraphValueInfo) => {
    const where = `${entry.file} ${kind} '${info.name}' (graphs.${role}.${kind}s.${contract})`;
    if (info.elemType !== 0 && info.elemType !== FLOAT32) {
      problems.push(`${where} is ${ELEMENT_TYPES[info.elemType] ?? `element type ${info.elemType}`}; the contract's tensors are float32`);
    }
    if (!info.dims) return;
    const rest = info.dims.slice(1);
    const want = expected[contract];
    if (info.dims.length === 0) problems.push(`${where} is a scalar; the contract's tensors have a batch dimension first`);
    else if (want && rest.every((d): d is number => typeof d === 'number')) {
      const values = rest.reduce((a, b) => a * b, 1);
      if (values !== want.values) {
        problems.push(`${where} has ${values} values per example (shape ${shapeText(info.dims)}); the manifest's ${want.source} says ${want.values}`);
      }
    }
  };
  for (const [kind, declared, map] of [
    ['input', facts.inputs, entry.inputs],
    ['output', facts.outputs, entry.outputs],
  ] as const) {
    for (const [contract, name] of Object.entries(map)) {
      const info = declared.find((v) => v.name === name);
      if (info) compare(kind, contract, info);
      else problems.push(`graphs.${role}.${kind}s.${contract} names '${name}', which ${entry.file} does not have; its ${kind}s are ${names(declared)}`);
    }
  }
  const fed = new Set(Object.values(entry.inputs));
  for (const input of facts.inputs.filter((i) => !fed.has(i.name))) {
    problems.push(`${entry.file} input '${input.name}' is not in graphs.${role}.inputs, so vaekit cannot feed it; its inputs are ${names(facts.inputs)}`);
  }
  return problems;
}
