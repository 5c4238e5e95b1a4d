import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The first ```ts block after `heading`. */
function example(heading: string): string {
  const section = README.slice(README.indexOf(heading));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`no ts example after ${heading}`);
  return match[1]!;
}

describe('README examples run as written (against the built package)', () => {
  it.each(['## Install in an app', '## The SDK', '### Loading: bytes, progress, abort, custom fetch, cache', '### `vaekit score`', '### Anomaly scores: `vae.anomaly`', '## The shared sampler'])('%s', (heading) => {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', example(heading)], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('README documents every run option of the tables', () => {
  it('names each flag of src/train/options in the Training section', async () => {
    const { DATA_OPTIONS, DATA_SOURCE_OPTION, TRAIN_OPTIONS, RUN_OPTIONS } = await import('../src/train/index.js');
    const training = README.slice(README.indexOf('## Training'), README.indexOf('### Fashion-MNIST'));
    const missing = [DATA_SOURCE_OPTION, ...DATA_OPTIONS, ...TRAIN_OPTIONS, ...RUN_OPTIONS]
      .map((spec) => (spec.placeholder ? `${spec.flag} ${spec.placeholder}` : spec.flag))
      .filter((flag) => !training.includes(`\`${flag}\``));
    expect(missing).toEqual([]);
  });
});

describe('README install lines', () => {
  it('gives the training install line vaekit prints, package for package', async () => {
    const { TRAINING_PEERS, ORT_NODE_PEERS } = await import('../src/optional-peers.js');
    const install = README.slice(README.indexOf('## Install in an app'), README.indexOf('## Training'));
    for (const peer of [...TRAINING_PEERS, ...ORT_NODE_PEERS]) expect(install).toContain(`${peer.name}@${peer.version}`);
  });
});
