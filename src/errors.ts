/**
 * Every error vaekit raises on purpose is a `VaekitError` with a stable `code`, so callers can
 * branch on the code instead of parsing messages.
 *
 * @example
 * ```ts
 * import { VaekitError } from 'vaekit';
 * try { await run(); } catch (e) {
 *   if (e instanceof VaekitError && e.code === 'invalid-argument') console.error(e.message);
 * }
 * ```
 */
export type VaekitErrorCode =
  | 'invalid-argument'
  | 'invalid-data'
  | 'io-error'
  | 'backend-unavailable'
  | 'checkpoint-missing'
  | 'checkpoint-mismatch'
  | 'non-finite'
  | 'verification-failed'
  /** An input's shape does not match the model's. */
  | 'shape-mismatch'
  /** An input is not float32 data (or convertible to it). */
  | 'dtype-mismatch'
  /** Input values outside the manifest's range (with `rangeCheck: 'refuse'`). */
  | 'out-of-range'
  /** A condition `c` given to an unconditional model, or missing for a conditional one. */
  | 'condition-mismatch'
  /** A method called after `dispose()`. */
  | 'disposed'
  /** A requested execution provider could not be used (with `strict: true`). */
  | 'provider-unavailable'
  /** A graph's SHA-256 differs from the manifest's. */
  | 'integrity-mismatch'
  /** A graph that ONNX Runtime cannot load (corrupt or truncated). */
  | 'corrupt-graph'
  /** A manifest that is not valid vaekit.json, or of an unknown format version. */
  | 'invalid-manifest'
  /** A graph that would make ONNX Runtime read outside the model (external data files). */
  | 'unsafe-graph'
  /** An output folder that holds files vaekit did not write: refused rather than overwritten. */
  | 'refused-overwrite'
  /** ONNX Runtime failed while running a graph that loaded (its message is included). */
  | 'run-failed'
  /** `Vae.load`'s `signal` was aborted: reading stopped and no session was kept. */
  | 'aborted'
  /** An optional package a feature needs is not installed (the message prints the `npm i` line). */
  | 'missing-dependency'
  /** A remote runtime's server answered an HTTP error (`status` holds it) or something that is not the protocol. */
  | 'remote-error'
  /** `vae.anomaly` on a model whose manifest records no calibration (`vaekit calibrate` adds one). */
  | 'not-calibrated'
  /** A chunk of `vaekit score --queue` failed on every attempt (or was refused by its worker); the message names its rows. */
  | 'job-failed'
  /** A data-parallel training worker (`workers` > 1) failed or exited; the message names it and says why. */
  | 'worker-failed';

export class VaekitError extends Error {
  readonly code: VaekitErrorCode;
  /** The HTTP status a server answered (`remote-error`), when there was one. */
  readonly status?: number;

  constructor(code: VaekitErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
    if (options?.status !== undefined) this.status = options.status;
    this.name = new.target.name;
  }
}

/** Formats a found value for an error message without dumping huge arrays. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  return typeof value;
}
