import { describe, expect, it } from 'vitest';
import { compileWat, readGenerated, WASM_SOURCES, wasmSource } from '../../scripts/generate-wasm.js';

describe('scripts/generate-wasm.ts', () => {
  for (const source of WASM_SOURCES) {
    it(`${source.out} holds exactly the compiled ${source.wat} (run scripts/generate-wasm.ts after editing the WAT)`, async () => {
      expect(await readGenerated(source)).toBe(wasmSource(source, await compileWat(source)));
    });
  }
});
