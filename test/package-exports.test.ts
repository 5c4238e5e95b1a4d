import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Imports the built package by its own name, as a user would, in a fresh Node process.
function runModule(source: string) {
  return spawnSync(process.execPath, ['--input-type=module', '-e', source], { cwd: ROOT, encoding: 'utf8' });
}

describe('built package', () => {
  it('exports the sampler from the root and training from vaekit/train, with a clean stderr', () => {
    const result = runModule(`
      import { samplePrior, fillStandardNormal, VaekitError } from 'vaekit';
      import { train, loadEmbeddedMnist } from 'vaekit/train';
      import { exportVae, supportedLayerClasses } from 'vaekit/export';
      if (typeof exportVae !== 'function' || !supportedLayerClasses().includes('Conv2DTranspose')) throw new Error('vaekit/export');
      const z = samplePrior(2, 3, { seed: 1 });
      const eps = fillStandardNormal(new Float32Array(6), { seed: 1 });
      console.log(JSON.stringify({ same: Array.from(z).every((v, i) => v === eps[i]), train: typeof train, load: typeof loadEmbeddedMnist, err: typeof VaekitError }));
    `);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ same: true, train: 'function', load: 'function', err: 'function' });
  });

  it('points every export at files the build wrote, types first', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const [subpath, target] of Object.entries(pkg.exports as Record<string, string | Record<string, string>>)) {
      if (typeof target === 'string') continue;
      expect(Object.keys(target)[0], subpath).toBe('types');
      for (const file of Object.values(target)) expect(existsSync(join(ROOT, file)), `${subpath} → ${file}`).toBe(true);
    }
  });
});
