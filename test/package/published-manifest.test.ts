import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allOptionalPeers, publishedManifest, type Manifest } from '../../scripts/package/published-manifest.js';
import { REPOSITORY } from '../../scripts/package/stage.js';

const repository = JSON.parse(readFileSync(join(REPOSITORY, 'package.json'), 'utf8')) as Manifest;

describe('the published manifest', () => {
  it('keeps as dependencies only what running models needs; every other package is an optional peer at the tested version', () => {
    const manifest = publishedManifest(repository, () => true);
    expect(Object.keys(manifest.dependencies!).sort()).toEqual(['@bufbuild/protobuf', 'commander', 'csv-parse', 'fflate', 'npyjs', 'onnxruntime-web', 'pngjs']);
    expect(manifest.optionalDependencies).toBeUndefined();
    for (const peer of allOptionalPeers()) {
      expect(manifest.peerDependencies![peer.name], peer.name).toBe(`^${peer.version}`);
      expect(manifest.peerDependenciesMeta![peer.name], peer.name).toEqual({ optional: true });
    }
    expect(Object.keys(manifest.peerDependencies!)).toEqual(expect.arrayContaining(['onnxruntime-node', '@tensorflow/tfjs-node', '@tensorflow/tfjs-core', 'mnist', 'fastify', '@fastify/cors', 'prom-client']));
  });

  it('refuses a peer list that disagrees with what the repository installs', () => {
    const drifted = { ...repository, dependencies: { ...repository.dependencies, mnist: '^2.0.0' } };
    expect(() => publishedManifest(drifted, () => true)).toThrow(/lists mnist@1\.1\.0, but package\.json installs mnist@\^2\.0\.0/);
    const stray = { ...repository, optionalDependencies: { ...repository.optionalDependencies, 'left-pad': '^1.0.0' } };
    expect(() => publishedManifest(stray, () => true)).toThrow(/optionalDependencies left-pad must be listed/);
  });

  it('keeps sideEffects entries only for files that ship', () => {
    const manifest = publishedManifest(repository, (file) => file === 'dist/node.js');
    expect(manifest.sideEffects).toEqual(['./dist/node.js']);
  });
});
