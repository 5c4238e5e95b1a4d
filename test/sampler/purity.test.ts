import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The sampler must stay pure arithmetic that every engine evaluates identically: no runtime
 * modules, no dependencies, and none of the Math functions (or `**`, i.e. Math.pow) whose last
 * bits are implementation-defined.
 */
const dir = new URL('../../src/sampler/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
const code = (file: string): string =>
  readFileSync(new URL(file, dir), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '') // block and doc comments (they may name Math.log to explain why not)
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** Math members whose results are exact or correctly rounded in every engine. */
const ALLOWED_MATH = new Set(['imul', 'floor', 'fround', 'sqrt', 'max', 'min', 'abs', 'trunc', 'clz32', 'sign']);

describe('src/sampler purity', () => {
  it('has the expected one-purpose files', () => {
    expect(files.sort()).toEqual(
      [
        'golden.ts',
        'index.ts',
        'math.ts',
        'normal-sampler.ts',
        'normal.ts',
        'philox.ts',
        'reparameterize.ts',
        'stream.ts',
        'uniform.ts',
        'validate.ts',
      ].sort(),
    );
  });

  it.each(files)('%s imports only sibling files and ../errors.js', (file) => {
    const specifiers = [...code(file).matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/g)].map(
      (m) => m[1] ?? m[2],
    );
    for (const s of specifiers) expect(s, `${file} imports ${s}`).toMatch(/^(\.\/[a-z0-9-]+\.js|\.\.\/errors\.js)$/);
  });

  it.each(files)('%s uses no engine-dependent Math function, no ** and no globals of one runtime', (file) => {
    const text = code(file);
    const math = [...text.matchAll(/\bMath\.(\w+)/g)].map((m) => m[1]!).filter((name) => !ALLOWED_MATH.has(name));
    expect(math, file).toEqual([]);
    expect(text.includes('**'), `${file} uses **`).toBe(false);
    expect(/\b(process|Buffer|require|window|document|globalThis)\b/.test(text), file).toBe(false);
  });
});
