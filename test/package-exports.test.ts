import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Imports the built package by its own name, as a user would, in a fresh Node process.
function run(source: string, type: 'module' | 'commonjs') {
  return spawnSync(process.execPath, [`--input-type=${type}`, '-e', source], { cwd: ROOT, encoding: 'utf8' });
}

const SDK_SMOKE = `
  const vae = await Vae.load('models/mnist-mlp');
  const { mean } = await vae.sample(2, { seed: 3 });
  const z = samplePrior(2, 3, { seed: 1 });
  const eps = fillStandardNormal(new Float32Array(6), { seed: 1 });
  console.log(JSON.stringify({ shape: mean.shape, provider: vae.provider.decoder, same: Array.from(z).every((v, i) => v === eps[i]), first: mean.data[300] }));
  await vae.dispose();
`;

describe('built package', () => {
  it('runs the SDK from `import "vaekit"` (ESM) with a clean stderr', () => {
    const result = run(`import { Vae, samplePrior, fillStandardNormal } from 'vaekit';\n${SDK_SMOKE}`, 'module');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ shape: [2, 28, 28, 1], provider: 'cpu', same: true });
  });

  it('runs the SDK from `require("vaekit")` (CommonJS) with a clean stderr, with the same numbers', () => {
    const esm = JSON.parse(run(`import { Vae, samplePrior, fillStandardNormal } from 'vaekit';\n${SDK_SMOKE}`, 'module').stdout);
    const result = run(`const { Vae, samplePrior, fillStandardNormal } = require('vaekit');\n(async () => {${SDK_SMOKE}})();`, 'commonjs');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(esm);
  });

  it('exports training from vaekit/train and the exporter from vaekit/export', () => {
    const result = run(
      `import { train, loadEmbeddedMnist } from 'vaekit/train';
       import { exportVae, supportedLayerClasses } from 'vaekit/export';
       console.log(JSON.stringify([typeof train, typeof loadEmbeddedMnist, typeof exportVae, supportedLayerClasses().includes('Conv2DTranspose')]));`,
      'module',
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(['function', 'function', 'function', true]);
  });

  it('builds browser bundles that import no Node module, with onnxruntime-web files beside them', () => {
    // Bare imports of an entry and of the chunks it imports (dist/chunks/, shared with the Node entry).
    const bareImports = (entry: string): string[] => {
      const seen = new Set<string>();
      const visit = (file: string): string[] => {
        if (seen.has(file)) return [];
        seen.add(file);
        const text = readFileSync(join(ROOT, 'dist', file), 'utf8');
        const specifiers = [...text.matchAll(/^(?:import|export) .*?from ['"]([^'"]+)['"];?$|^import ['"]([^'"]+)['"];?$/gm)].map((m) => (m[1] ?? m[2])!);
        return specifiers.flatMap((s) => (s.startsWith('./') ? visit(join(file, '..', s)) : [s]));
      };
      return [...new Set(visit(entry))].sort();
    };
    // The bundler builds import their runtime dependencies (all browser-ready ESM; fflate is the
    // anomaly score's deflate) and nothing else.
    expect(bareImports('web.js')).toEqual(['@bufbuild/protobuf/wire', 'fflate', 'onnxruntime-web']);
    expect(bareImports('wasm.js')).toEqual(['@bufbuild/protobuf/wire', 'fflate', 'onnxruntime-web/wasm']);
    const bundle = readFileSync(join(ROOT, 'dist/vaekit.web.bundle.js'), 'utf8');
    expect(bundle).not.toMatch(/from ['"](node:|onnxruntime-node)/);
    expect(bundle).not.toMatch(/^import /m); // self-contained
    for (const file of ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm']) {
      expect(existsSync(join(ROOT, 'dist', file)), file).toBe(true);
    }
  });

  it('points every export at files the build wrote, types first in every set of conditions with files', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const files = (target: unknown): string[] =>
      typeof target === 'string' ? [target] : Object.values(target as Record<string, unknown>).flatMap(files);
    const typesFirst = (where: string, target: unknown): void => {
      if (typeof target === 'string') return;
      const entries = Object.entries(target as Record<string, unknown>);
      const leaves = entries.filter(([, value]) => typeof value === 'string').map(([key]) => key);
      if (leaves.length > 1 && leaves.includes('types')) expect(leaves[0], where).toBe('types');
      for (const [key, value] of entries) typesFirst(`${where}.${key}`, value);
    };
    for (const [subpath, target] of Object.entries(pkg.exports as Record<string, unknown>)) {
      if (typeof target !== 'string') expect(files(target).some((file) => file.endsWith('.d.ts')), `${subpath} has types`).toBe(true);
      typesFirst(subpath, target);
      // A pattern (`./models/*`) points into a folder: that folder must exist.
      for (const file of files(target)) expect(existsSync(join(ROOT, file.split('*')[0]!)), `${subpath} → ${file}`).toBe(true);
    }
    // Browser builds (and TypeScript's bundler resolution, which sets neither condition) get the
    // browser types, with setWasmPaths; Node gets the Node types.
    expect(pkg.exports['.'].browser.types).toBe('./dist/src/web.d.ts');
    expect(pkg.exports['.'].node.types).toBe('./dist/src/node.d.ts');
    expect(pkg.exports['.'].types).toBe('./dist/src/web.d.ts');
  });
});
