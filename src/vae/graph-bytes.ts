/**
 * The graph bytes a caller passes to `Vae.load({ manifest, encoder, decoder })`: an ArrayBuffer
 * (what `await response.arrayBuffer()` gives) or any Uint8Array (a Node Buffer, one from another
 * realm); everything else is refused, naming what was found and how to get bytes from it.
 */
import { VaekitError, describeValue } from '../errors.js';

/** Graph (or manifest) bytes: an ArrayBuffer or a Uint8Array. */
export type GraphBytes = ArrayBuffer | Uint8Array;

/** The built-in class of `value` ("Blob", "ArrayBuffer", "Uint8Array", …), across realms. */
function tag(value: unknown): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** `value` as found, for messages: typed arrays with their length, objects by their class. */
export function describeFound(value: unknown): string {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return describeValue(value);
  const name = tag(value);
  if (name === 'ArrayBuffer' || name === 'SharedArrayBuffer') return `${name}(${(value as ArrayBuffer).byteLength})`;
  return name === 'Object' ? 'object' : name;
}

/** How to turn what was found into bytes, appended to the refusal. */
function hint(value: unknown): string {
  const name = tag(value);
  if (name === 'Blob' || name === 'File') return `: pass \`await ${name === 'File' ? 'file' : 'blob'}.arrayBuffer()\``;
  if (name === 'Response') return ': pass `await response.arrayBuffer()`';
  if (name === 'Promise' || typeof (value as { then?: unknown } | null)?.then === 'function') return ': await it first';
  if (name === 'SharedArrayBuffer') return ': copy it into an ArrayBuffer (`new Uint8Array(shared).slice()`)';
  if (ArrayBuffer.isView(value)) return ': pass its bytes, `new Uint8Array(view.buffer, view.byteOffset, view.byteLength)`';
  return '';
}

/** Whether `value` is an ArrayBuffer or a Uint8Array (of any realm). */
export function isBytes(value: unknown): value is GraphBytes {
  const kind = tag(value);
  return kind === 'ArrayBuffer' || kind === 'Uint8Array';
}

/** `value` as a Uint8Array over the same memory (no copy), or `invalid-argument` naming `name`. */
export function toBytes(value: unknown, name: string, what: string): Uint8Array {
  const kind = tag(value);
  if (value instanceof Uint8Array) return value;
  if (kind === 'Uint8Array') {
    // From another realm (a vm context, an iframe): a view of this realm over the same memory.
    const view = value as Uint8Array;
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }
  if (kind === 'ArrayBuffer') return new Uint8Array(value as ArrayBuffer);
  throw new VaekitError('invalid-argument', `'${name}' must be an ArrayBuffer or a Uint8Array (${what}); found ${describeFound(value)}${hint(value)}`);
}
