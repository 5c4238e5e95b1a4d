import { f16round, setFloat16 } from '@petamoriken/float16';

const scratch = new DataView(new ArrayBuffer(2));

/** IEEE 754 binary16 bits of `value` (round to nearest even), via @petamoriken/float16. */
export function float16Bits(value: number): number {
  setFloat16(scratch, 0, value);
  return scratch.getUint16(0);
}

/** `values` rounded to the nearest float16, as float32: what an fp16 graph computes with. */
export function roundToFloat16(values: Float32Array): Float32Array {
  return values.map((v) => f16round(v));
}
