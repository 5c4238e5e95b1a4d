/** Validation of the records around the model: `onnx`, `precision`, `producer`, `training`, `verification`. */
import { type Checker, type JsonObject, isCount, isNonEmptyString, isNumber, isObject, isPositiveInteger, joinPath } from './check.js';
import type { VaeManifest } from './schema.js';

/** Defaults of the fields a hand-written manifest may omit (docs/manifest.md). */
export const MANIFEST_DEFAULTS = {
  precision: 'fp32',
  producer: { name: 'unknown', version: 'unknown' },
  training: null,
} as const;

const isString = (v: unknown): v is string => typeof v === 'string';
const isMetric = (v: unknown): v is number | null => v === null || isNumber(v);

export function checkOnnx(c: Checker, root: JsonObject): VaeManifest['onnx'] | undefined {
  const onnx = c.take(root, '', 'onnx', 'an object {irVersion, opset}', isObject);
  if (!onnx) return undefined;
  const irVersion = c.take(onnx, 'onnx', 'irVersion', 'the graphs’ ONNX IR version (a positive integer)', isPositiveInteger);
  const opset = c.take(onnx, 'onnx', 'opset', 'the graphs’ default-domain opset (a positive integer)', isPositiveInteger);
  return irVersion !== undefined && opset !== undefined ? { irVersion, opset } : undefined;
}

export function checkProducer(c: Checker, root: JsonObject): VaeManifest['producer'] | undefined {
  const value = root['producer'];
  if (value == null) return { ...MANIFEST_DEFAULTS.producer };
  if (!isObject(value)) return c.fail('producer', 'an object {name, version} or nothing', value);
  const name = c.take(value, 'producer', 'name', 'a non-empty string (the tool that wrote the graphs)', isNonEmptyString);
  const version = c.take(value, 'producer', 'version', 'a string', isString);
  return name !== undefined && version !== undefined ? { name, version } : undefined;
}

/** A record {key: value} whose values all pass `ok`. */
function record<T>(c: Checker, obj: JsonObject, path: string, key: string, each: string, ok: (v: unknown) => v is T): Record<string, T> | undefined {
  const value = c.take(obj, path, key, `an object whose values are each ${each}`, isObject);
  if (!value) return undefined;
  const bad = Object.keys(value).filter((k) => !ok(value[k]));
  for (const k of bad) c.fail(joinPath(joinPath(path, key), k), each, value[k]);
  return bad.length ? undefined : ({ ...value } as Record<string, T>);
}

export function checkTraining(c: Checker, root: JsonObject): VaeManifest['training'] | undefined {
  const value = root['training'];
  if (value == null) return MANIFEST_DEFAULTS.training;
  if (!isObject(value)) return c.fail('training', 'null, nothing, or {dataset, epochs, seed, backend, config, metrics}', value);
  const p = 'training';
  const dataset = c.take(value, p, 'dataset', 'a string', isString);
  const epochs = c.take(value, p, 'epochs', 'an integer ≥ 0', isCount);
  const seed = c.take(value, p, 'seed', 'a finite number', isNumber);
  const backend = c.take(value, p, 'backend', 'a string', isString);
  const config = value['config'] == null ? {} : c.take(value, p, 'config', 'an object (the training configuration)', isObject);
  const metrics = value['metrics'] == null ? {} : record(c, value, p, 'metrics', 'a finite number or null', isMetric);
  if (dataset === undefined || epochs === undefined || seed === undefined || backend === undefined || !config || !metrics) return undefined;
  return { dataset, epochs, seed, backend, config: { ...config }, metrics };
}

type Verification = NonNullable<VaeManifest['verification']>;

/** `null` = absent (null or missing); undefined = invalid. */
export function checkVerification(c: Checker, root: JsonObject): Verification | null | undefined {
  const value = root['verification'];
  if (value == null) return null;
  const p = 'verification';
  if (!isObject(value)) return c.fail(p, 'null, nothing, or {runtime, tolerance, maxAbsDiff, samples}', value);
  const runtime = c.take(value, p, 'runtime', 'a string', isString);
  const tolerance = c.take(value, p, 'tolerance', 'an object {absolute, relative} of numbers ≥ 0', (v): v is Verification['tolerance'] =>
    isObject(v) && isNumber(v['absolute']) && v['absolute'] >= 0 && isNumber(v['relative']) && v['relative'] >= 0);
  const maxAbsDiff = record(c, value, p, 'maxAbsDiff', 'a finite number', isNumber);
  const samples = c.take(value, p, 'samples', 'an integer ≥ 0', isCount);
  if (runtime === undefined || !tolerance || !maxAbsDiff || samples === undefined) return undefined;
  return { runtime, tolerance: { absolute: tolerance.absolute, relative: tolerance.relative }, maxAbsDiff, samples };
}
