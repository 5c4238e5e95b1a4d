import { describe, expect, it } from 'vitest';
import { MANIFEST_MAX_DEPTH, checkJsonTextDepth, checkJsonValueDepth } from '../../src/manifest/json-limits.js';
import { parseManifest } from '../../src/manifest/index.js';
import { thrown } from '../helpers/thrown.js';
import { MNIST_TEXT } from './manifests.js';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('manifest nesting bounds', () => {
  it(`accepts ${MANIFEST_MAX_DEPTH} levels and refuses one more, in text and in values`, () => {
    expect(() => checkJsonTextDepth(nested(MANIFEST_MAX_DEPTH), 'm')).not.toThrow();
    expect(thrown(() => checkJsonTextDepth(nested(MANIFEST_MAX_DEPTH + 1), 'm')).code).toBe('invalid-manifest');
    expect(() => checkJsonValueDepth(JSON.parse(nested(MANIFEST_MAX_DEPTH)), 'm')).not.toThrow();
    expect(thrown(() => checkJsonValueDepth(JSON.parse(nested(MANIFEST_MAX_DEPTH + 1)), 'm')).message).toMatch(/at most 64 levels deep/);
  });

  it('does not count brackets inside strings', () => {
    expect(() => checkJsonTextDepth(JSON.stringify({ name: nested(1000), escaped: '\\"[[[' }), 'm')).not.toThrow();
  });

  it('refuses an object that contains itself instead of looping', () => {
    const loop: Record<string, unknown> = { format: 'vaekit/1' };
    loop['self'] = loop;
    expect(thrown(() => parseManifest(loop)).message).toMatch(/contains itself/);
  });

  it('parses the shipped manifest, whose nesting is far below the bound', () => {
    expect(parseManifest(MNIST_TEXT).name).toBe('mnist-mlp');
    expect(thrown(() => parseManifest(`{"format":"vaekit/1","x":${nested(100_000)}}`)).code).toBe('invalid-manifest');
  });
});
