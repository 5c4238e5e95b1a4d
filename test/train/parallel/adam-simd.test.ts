import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { adamWasmSource, compileAdamWat } from '../../../scripts/generate-adam-wasm.js';

describe('adam-simd-wasm.ts', () => {
  it('holds exactly the compiled adam-simd.wat (run scripts/generate-adam-wasm.ts after editing the WAT)', async () => {
    const generated = await readFile(new URL('../../../src/train/parallel/adam-simd-wasm.ts', import.meta.url), 'utf8');
    expect(generated).toBe(adamWasmSource(await compileAdamWat()));
  });
});
