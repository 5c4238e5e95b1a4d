import { VaekitError } from '../errors.js';

/**
 * Most pixels of one PNG the CLI writes: 2^27 (about 11 585 × 11 585; 512 MB of RGBA while it is
 * encoded). Room for the whole 10 000-example test split of `reconstruct`.
 */
export const MAX_PNG_PIXELS = 2 ** 27;

/** The largest count in [1, upTo] whose grid fits (`fits` must not decrease as the count grows). */
export function largestFitting(upTo: number, fits: (count: number) => boolean): number {
  let lo = 0;
  let hi = upTo;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function pngFits(size: { width: number; height: number }): boolean {
  return size.width * size.height <= MAX_PNG_PIXELS;
}

/**
 * Refuses, before any work, a grid too large for one PNG: `request` names the flags, `advice`
 * says what fits.
 */
export function checkPngFits(request: string, size: { width: number; height: number }, advice: () => string): void {
  if (pngFits(size)) return;
  const pixels = size.width * size.height;
  throw new VaekitError(
    'invalid-argument',
    `${request} makes a ${size.width} × ${size.height}-pixel PNG (${pixels} pixels); one PNG holds at most ${MAX_PNG_PIXELS} pixels (2^27): ${advice()}`,
  );
}
