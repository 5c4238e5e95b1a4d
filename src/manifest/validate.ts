/**
 * `parseManifest`: validates a vaekit.json and fills in the defaults of the fields a hand-written
 * manifest may omit (docs/manifest.md). Every problem is collected first, so one `invalid-manifest`
 * error lists all of them with their JSON paths.
 */
import { VaekitError } from '../errors.js';
import { Checker, type ManifestProblem, found, isNonEmptyString, isObject } from './check.js';
import { checkCalibration } from './calibration-check.js';
import { checkGraphs } from './graphs.js';
import { LIKELIHOODS, checkCondition, checkInput, checkLikelihood } from './input.js';
import { MANIFEST_MAX_BYTES, checkJsonTextDepth, checkJsonValueDepth } from './json-limits.js';
import { MANIFEST_DEFAULTS, checkOnnx, checkProducer, checkTraining, checkVerification } from './records.js';
import { MANIFEST_FORMAT, type VaeManifest } from './schema.js';

function invalid(message: string): VaekitError {
  return new VaekitError('invalid-manifest', message);
}

/** The manifest's problems, or its parsed form when it has none. Throws only for a document that is not a vaekit/1 manifest at all. */
function check(json: unknown): { manifest: VaeManifest } | { problems: ManifestProblem[] } {
  let root = json;
  if (typeof json === 'string') {
    if (json.length > MANIFEST_MAX_BYTES) throw invalid(`not a vaekit manifest: the text is at most ${MANIFEST_MAX_BYTES} characters; found ${json.length}`);
    checkJsonTextDepth(json, 'the manifest');
    try {
      root = JSON.parse(json);
    } catch (e) {
      throw invalid(`not a vaekit manifest: the text is not JSON (${(e as Error).message})`);
    }
  }
  checkJsonValueDepth(root, 'the manifest');
  if (!isObject(root)) throw invalid(`not a vaekit manifest: expected a JSON object with format "${MANIFEST_FORMAT}"; found ${found(root)}`);
  const format = root['format'];
  const version = typeof format === 'string' ? /^vaekit\/(\d+)$/.exec(format)?.[1] : undefined;
  if (version !== undefined && format !== MANIFEST_FORMAT) {
    const hint = Number(version) > 1 ? 'written by a newer vaekit: upgrade vaekit to load it' : 're-export the model with this vaekit';
    throw invalid(`format: unknown format version ${JSON.stringify(format)}: this vaekit reads ${MANIFEST_FORMAT} (${hint})`);
  }
  if (format !== MANIFEST_FORMAT) throw invalid(`not a vaekit manifest: format: expected "${MANIFEST_FORMAT}"; found ${found(format)}`);

  const c = new Checker();
  const name = c.take(root, '', 'name', 'a non-empty string (the model’s name)', isNonEmptyString);
  const description = c.optional(root, '', 'description', 'a string or nothing', (v): v is string => typeof v === 'string', null);
  const input = checkInput(c, root);
  const latentDim = c.take(root, '', 'latentDim', 'a positive integer (J, the latent dimension)', (v): v is number => Number.isSafeInteger(v) && (v as number) > 0);
  const condition = checkCondition(c, root);
  const likelihood = checkLikelihood(c, root);
  const prior = c.take(root, '', 'prior', '{"kind": "standard-normal"}', (v): v is VaeManifest['prior'] => isObject(v) && v['kind'] === 'standard-normal');
  // The name maps depend on the likelihood and on whether the model is conditional: check them
  // against what the manifest says even when that part is itself faulty (one pass finds all).
  const conditional = isObject(root['condition']);
  const kind = isObject(root['likelihood']) ? root['likelihood']['kind'] : undefined;
  const graphs = checkGraphs(c, root, LIKELIHOODS.find((k) => k === kind) ?? null, conditional);
  const onnx = checkOnnx(c, root);
  const precision = root['precision'] == null ? MANIFEST_DEFAULTS.precision : c.oneOf(root, '', 'precision', ['fp32', 'fp16']);
  const producer = checkProducer(c, root);
  const training = checkTraining(c, root);
  const verification = checkVerification(c, root);
  const calibration = checkCalibration(c, root);

  if (c.problems.length) return { problems: c.problems };
  return {
    manifest: {
      format: MANIFEST_FORMAT,
      name: name!,
      ...(description !== null ? { description: description! } : {}),
      input: input!,
      latentDim: latentDim!,
      condition: condition!,
      likelihood: likelihood!,
      prior: { kind: prior!.kind },
      graphs: graphs!,
      onnx: onnx!,
      precision: precision!,
      producer: producer!,
      training: training!,
      ...(verification ? { verification } : {}),
      ...(calibration ? { calibration } : {}),
    },
  };
}

/** The defects of a vaekit/1 manifest (empty when it is valid); throws for a document that is not one. */
export function manifestProblems(json: unknown): ManifestProblem[] {
  const result = check(json);
  return 'problems' in result ? result.problems : [];
}

/** One line per problem: `path: expected …; found …`. */
export function formatProblems(problems: readonly ManifestProblem[]): string {
  return problems.map((p) => `  - ${p.path || '(top level)'}: expected ${p.expected}; found ${p.found}`).join('\n');
}

/**
 * Validates a vaekit.json (its text, or the parsed value) and returns it with the defaults of the
 * optional fields filled in. Throws `VaekitError('invalid-manifest')` listing every problem.
 *
 * @example
 * ```ts
 * import { parseManifest } from 'vaekit';
 * const manifest = parseManifest(await (await fetch('/models/mnist-mlp/vaekit.json')).text());
 * manifest.graphs.decoder.outputs.mean; // the decoder's output name for the contract's `mean`
 * ```
 */
export function parseManifest(json: string | unknown): VaeManifest {
  const result = check(json);
  if ('manifest' in result) return result.manifest;
  const n = result.problems.length;
  throw invalid(`invalid vaekit.json: ${n} problem${n === 1 ? '' : 's'}\n${formatProblems(result.problems)}`);
}
