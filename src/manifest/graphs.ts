/** Validation of `graphs`: files, hashes and the map from the contract's names to the graph's. */
import { type Checker, type JsonObject, isCount, isObject, isPositiveInteger, joinPath } from './check.js';
import { type NameContract, graphContract } from './contract.js';
import type { GraphRole, ManifestGraph, ManifestLikelihood } from './schema.js';

const SHA256 = /^[0-9a-f]{64}$/;

/** A plain relative path inside the model folder: no scheme, no absolute path, no `..`, no backslash. */
const isModelFile = (v: unknown): v is string =>
  typeof v === 'string' && v.length > 0 && !/^[a-z][a-z0-9+.-]*:|^\/|\\/i.test(v) && !v.split('/').some((s) => s === '..' || s === '');

export function checkGraphs(
  c: Checker,
  root: JsonObject,
  likelihood: ManifestLikelihood['kind'] | null,
  conditional: boolean,
): Record<GraphRole, ManifestGraph> | undefined {
  const graphs = c.take(root, '', 'graphs', 'an object {encoder, decoder}', isObject);
  if (!graphs) return undefined;
  const encoder = checkGraph(c, graphs, 'encoder', likelihood, conditional);
  const decoder = checkGraph(c, graphs, 'decoder', likelihood, conditional);
  if (encoder && decoder && encoder.file === decoder.file) c.fail('graphs.decoder.file', 'a file other than the encoder’s', decoder.file);
  return encoder && decoder ? { encoder, decoder } : undefined;
}

function checkGraph(
  c: Checker,
  graphs: JsonObject,
  role: GraphRole,
  likelihood: ManifestLikelihood['kind'] | null,
  conditional: boolean,
): ManifestGraph | undefined {
  const path = `graphs.${role}`;
  const graph = c.take(graphs, 'graphs', role, `an object {file, sha256, inputs, outputs}`, isObject);
  if (!graph) return undefined;
  const file = c.take(graph, path, 'file', 'a file name relative to vaekit.json (no "..", no absolute path or URL)', isModelFile);
  const sha256 = c.take(graph, path, 'sha256', `64 lowercase hex digits (\`sha256sum ${file ?? `${role}.onnx`}\`)`, (v): v is string => typeof v === 'string' && SHA256.test(v));
  const bytes = c.take(graph, path, 'bytes', `the file size in bytes, a positive integer (\`wc -c < ${file ?? `${role}.onnx`}\`)`, isPositiveInteger);
  const parameters = c.take(graph, path, 'parameters', 'the number of learned parameters (an integer ≥ 0)', isCount);
  const contract = graphContract(role, likelihood, conditional);
  const inputs = checkNames(c, graph, path, 'inputs', contract.inputs, conditional);
  const outputs = checkNames(c, graph, path, 'outputs', contract.outputs, conditional);
  if (!file || !sha256 || bytes === undefined || parameters === undefined || !inputs || !outputs) return undefined;
  return { file, sha256, bytes, parameters, inputs, outputs };
}

const list = (names: string[]) => (names.length ? names.map((n) => JSON.stringify(n)).join(', ') : 'none');

/** The names a map must hold, e.g. `"mu", "logvar"`, or for a bernoulli decoder `"mean" or "logits" (or both)`. */
function contractNames(contract: NameContract, key: string): string {
  const oneOf = contract.atLeastOne ?? [];
  const quote = (n: string) => JSON.stringify(n);
  const must = [...contract.required.map(quote), ...(oneOf.length ? [`${oneOf.map(quote).join(' or ')} (or both)`] : [])];
  const optional = contract.optional.filter((n) => !oneOf.includes(n));
  return `the contract's ${key} ${must.length ? must.join(', ') : 'none'}${optional.length ? ` (and optionally ${list(optional)})` : ''}`;
}

/** A name map {contractName: graphName} with every required name, no unknown one, no graph name twice. */
function checkNames(
  c: Checker,
  graph: JsonObject,
  path: string,
  key: 'inputs' | 'outputs',
  contract: NameContract | null,
  conditional: boolean,
): Record<string, string> | undefined {
  const at = joinPath(path, key);
  const expected = contract ? `an object mapping ${contractNames(contract, key)} to the graph's ${key.slice(0, -1)} names` : `an object mapping contract names to the graph's ${key.slice(0, -1)} names`;
  const map = c.take(graph, path, key, expected, isObject);
  if (!map) return undefined;
  const before = c.problems.length;
  const keys = Object.keys(map);
  const missing = contract ? contract.required.filter((n) => !Object.hasOwn(map, n)) : [];
  if (missing.length) c.failWith(at, expected, keys.length ? `keys ${list(keys)}; missing ${list(missing)}` : 'an empty object');
  const oneOf = contract?.atLeastOne;
  if (oneOf && !oneOf.some((n) => Object.hasOwn(map, n))) {
    c.failWith(at, expected, keys.length ? `keys ${list(keys)} (${oneOf.map((n) => `no ${JSON.stringify(n)}`).join(', ')})` : 'an empty object');
  }
  const seen = new Map<unknown, string>();
  for (const name of keys) {
    const value = map[name];
    if (contract && !contract.required.includes(name) && !contract.optional.includes(name)) {
      const why = name === 'c' && !conditional ? ' (condition is null: the model is unconditional)' : '';
      c.failWith(joinPath(at, name), `only contract names ${list([...contract.required, ...contract.optional])}${why}`, `the unknown name ${JSON.stringify(name)}`);
    } else if (typeof value !== 'string' || value.length === 0) {
      c.fail(joinPath(at, name), `the graph's ${key.slice(0, -1)} name (a non-empty string)`, value);
    } else if (seen.has(value)) {
      c.fail(joinPath(at, name), `a graph name different from ${key}.${seen.get(value)}'s`, value);
    } else {
      seen.set(value, name);
    }
  }
  return c.problems.length === before ? { ...(map as Record<string, string>) } : undefined;
}
