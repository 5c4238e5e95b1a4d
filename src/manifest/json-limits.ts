/**
 * Bounds on a manifest before it is parsed or walked: its size, and how deep its arrays and objects
 * nest. A vaekit.json is a few kB and about six levels deep; a hostile one nested 100 000 levels
 * would overflow the stack of any recursive walk (JSON.stringify in an error message included).
 */
import { VaekitError } from '../errors.js';

/** The largest vaekit.json read: per-feature scaling of a wide CSV table stays far below it. */
export const MANIFEST_MAX_BYTES = 8 * 1024 * 1024;
/** The deepest nesting of arrays and objects accepted in a manifest. */
export const MANIFEST_MAX_DEPTH = 64;

function tooDeep(where: string, found: string): VaekitError {
  return new VaekitError('invalid-manifest', `${where} nests arrays and objects at most ${MANIFEST_MAX_DEPTH} levels deep; found ${found}`);
}

/** Refuses JSON text nested deeper than MANIFEST_MAX_DEPTH (one linear scan; strings are skipped). */
export function checkJsonTextDepth(text: string, where: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > MANIFEST_MAX_DEPTH) throw tooDeep(where, `more than ${MANIFEST_MAX_DEPTH} levels at character ${i}`);
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
}

// Values visited by the walk of a parsed manifest: shared references could otherwise make it exponential.
const MAX_VALUES = 1_000_000;

/** Refuses a parsed value nested deeper than MANIFEST_MAX_DEPTH (iterative: no recursion to overflow). */
export function checkJsonValueDepth(value: unknown, where: string): void {
  const stack: [unknown, number][] = [[value, 0]];
  let visited = 0;
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    // An object that contains itself also ends here.
    if (depth >= MANIFEST_MAX_DEPTH) throw tooDeep(where, `more than ${MANIFEST_MAX_DEPTH} levels (or an object that contains itself)`);
    if (++visited > MAX_VALUES) throw new VaekitError('invalid-manifest', `${where} has more than ${MAX_VALUES} arrays and objects; a vaekit manifest has a few dozen`);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
}
