/**
 * The package as users get it: packed from this repository, installed by `npm i` into fresh
 * projects with only the npm registry and default settings, then used the ways the README shows —
 * ESM, CommonJS, TypeScript, the `vaekit` bin — by an app that only runs models and by one that
 * trains. Prints the sizes it measures.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_PEERS, SERVE_PEERS, TRAINING_PEERS } from '../../src/optional-peers.js';
import { type Consumer, type Packed, REPOSITORY, installConsumer, installedPackages, packVaekit, succeeded, treeBytes } from './consumer.js';

const MB = 1e6;
const version = (JSON.parse(readFileSync(join(REPOSITORY, 'package.json'), 'utf8')) as { version: string }).version;
/** Samples the example model; prints what the app would show. */
const SAMPLE = `
  const vae = await Vae.load(exampleModelPath());
  const { mean } = await vae.sample(2, { seed: 3 });
  console.log(JSON.stringify({ shape: mean.shape, provider: vae.provider.decoder, pixel: mean.data[300] }));
  await vae.dispose();
`;

let packed: Packed;
let sdk: Consumer;
let trainingLine: string;

beforeAll(() => {
  packed = packVaekit();
  const app = installConsumer('sdk', [packed.tarball]);
  expect(app.install.status, `npm i vaekit failed:\n${app.install.stderr}`).toBe(0);
  sdk = app;
}, 900_000);

describe('the tarball', () => {
  it('is at most 3 MB, without source maps, .wasm copies, the demo or parity pages', () => {
    console.info(`tarball: ${packed.files.length} files, ${(packed.packedBytes / MB).toFixed(2)} MB packed, ${(packed.unpackedBytes / MB).toFixed(2)} MB unpacked`);
    expect(packed.packedBytes).toBeLessThanOrEqual(3 * MB);
    expect(packed.files.filter((f) => /\.(map|wasm|mjs|html|png)$/.test(f) || f.includes('demo') || f.includes('parity'))).toEqual([]);
    for (const file of ['package.json', 'README.md', 'LICENSE', 'dist/node.js', 'dist/web.js', 'dist/wasm.js', 'dist/cli.js', 'dist/src/node.d.ts', 'dist/src/web.d.ts']) {
      expect(packed.files, file).toContain(file);
    }
    expect(packed.files).toEqual(expect.arrayContaining(['models/mnist-mlp-fp16/vaekit.json', 'models/mnist-mlp-fp16/encoder.onnx', 'models/mnist-mlp-fp16/decoder.onnx']));
  });

  it('names its licence, repository, homepage and bug tracker, and leaves the training stack to optional peers', () => {
    const manifest = JSON.parse(readFileSync(join(sdk.dir, 'node_modules/vaekit/package.json'), 'utf8'));
    expect(manifest).toMatchObject({ license: 'Apache-2.0', repository: { type: 'git' }, homepage: expect.stringMatching(/^https:\/\//), bugs: expect.stringMatching(/^https:\/\//) });
    expect(readFileSync(join(sdk.dir, 'node_modules/vaekit/LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['@bufbuild/protobuf', 'commander', 'csv-parse', 'fflate', 'npyjs', 'onnxruntime-web', 'pngjs']);
    for (const peer of [...TRAINING_PEERS.map((p) => p.name), ...SERVE_PEERS.map((p) => p.name), ...QUEUE_PEERS.map((p) => p.name), 'onnxruntime-node', '@tensorflow/tfjs-node']) {
      expect(manifest.peerDependenciesMeta[peer], peer).toEqual({ optional: true });
    }
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.devDependencies).toBeUndefined();
  });
});

describe('an app that only runs models: npm i vaekit', () => {
  it('installs with default settings: no install script that downloads, ≤ 200 MB of node_modules, ≤ 2 MB of vaekit, no training stack', () => {
    const nodeModules = join(sdk.dir, 'node_modules');
    const packages = installedPackages(nodeModules);
    const withScripts = packages.filter((name) => {
      const scripts = (JSON.parse(readFileSync(join(nodeModules, name, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
      return ['preinstall', 'install', 'postinstall'].some((hook) => hook in scripts);
    });
    const total = treeBytes(nodeModules);
    const own = treeBytes(join(nodeModules, 'vaekit'));
    console.info(`SDK-only app: node_modules ${(total / MB).toFixed(1)} MB (${packages.length} packages), vaekit ${(own / MB).toFixed(2)} MB`);
    // protobufjs (onnxruntime-web's) runs scripts/postinstall.js: it makes an empty cli/node_modules
    // folder and checks its dependents' version ranges, on the local disk only.
    expect(withScripts).toEqual(['protobufjs']);
    expect(total).toBeLessThanOrEqual(200 * MB);
    expect(own).toBeLessThanOrEqual(2 * MB);
    for (const heavy of ['onnxruntime-node', '@tensorflow/tfjs-core', '@tensorflow/tfjs-node', 'mnist', 'onnx-proto', '@resvg/resvg-js', 'cli-progress']) {
      expect(packages, heavy).not.toContain(heavy);
    }
  });

  it('runs the example model from ESM on onnxruntime-web, saying once that onnxruntime-node is not installed', () => {
    const r = sdk.run(process.execPath, ['--input-type=module', '-e', `import { Vae, exampleModelPath } from 'vaekit';\n{${SAMPLE}}\n{${SAMPLE}}`]);
    expect(succeeded(r), r.stderr).toBe(true);
    const [first, second] = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(first).toMatchObject({ shape: [2, 28, 28, 1], provider: 'wasm' });
    expect(second).toEqual(first);
    const notices = r.stderr.split('\n').filter((line) => line.includes('onnxruntime-node is not installed'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('npm i onnxruntime-node@1.30.0');
  });

  it('runs it from CommonJS with the same numbers', () => {
    const esm = sdk.run(process.execPath, ['--input-type=module', '-e', `import { Vae, exampleModelPath } from 'vaekit';\n${SAMPLE}`]);
    const cjs = sdk.run(process.execPath, ['--input-type=commonjs', '-e', `const { Vae, exampleModelPath } = require('vaekit');\n(async () => {${SAMPLE}})();`]);
    expect(succeeded(cjs), cjs.stderr).toBe(true);
    expect(JSON.parse(cjs.stdout)).toEqual(JSON.parse(esm.stdout));
  });

  it('type-checks a strict TypeScript app against the installed types (nodenext, library checks on)', () => {
    writeFileSync(
      join(sdk.dir, 'app.ts'),
      `import { Vae, VaekitError, exampleModelPath, type VaekitErrorCode } from 'vaekit';
       const vae: Vae = await Vae.load(exampleModelPath(), { device: 'cpu' });
       const { mean } = await vae.sample(4, { seed: 1 });
       const shape: readonly number[] = mean.shape;
       const code: VaekitErrorCode = new VaekitError('invalid-argument', 'x').code;
       console.log(shape, code);\n`,
    );
    writeFileSync(
      join(sdk.dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: false, typeRoots: [join(REPOSITORY, 'node_modules/@types')], types: ['node'] },
        files: ['app.ts'],
      }),
    );
    const r = sdk.run(process.execPath, [join(REPOSITORY, 'node_modules/typescript/bin/tsc'), '-p', '.']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('answers `vaekit --version` and samples the example model from the bin', () => {
    const bin = join(sdk.dir, 'node_modules/.bin/vaekit');
    expect(sdk.run(bin, ['--version']).stdout.trim()).toBe(version);
    const model = join(sdk.dir, 'node_modules/vaekit/models/mnist-mlp-fp16');
    const r = sdk.run(bin, ['sample', model, '--n', '16', '--seed', '1', '--out', 'samples.png']);
    expect(succeeded(r), r.stderr).toBe(true);
    expect(existsSync(join(sdk.dir, 'samples.png'))).toBe(true);
  });

  it('prints the one line that installs the training stack, from the CLI and from `import("vaekit/train")`', () => {
    const cli = sdk.run(join(sdk.dir, 'node_modules/.bin/vaekit'), ['train', '--epochs', '1', '--out', 'run']);
    expect(cli.status).toBe(1);
    const line = /npm i [^\n]+/.exec(cli.stderr)?.[0];
    expect(line, cli.stderr).toBeDefined();
    for (const peer of TRAINING_PEERS) expect(line).toContain(`${peer.name}@${peer.version}`);
    expect(existsSync(join(sdk.dir, 'run'))).toBe(false);
    const api = sdk.run(process.execPath, ['--input-type=module', '-e', `import('vaekit/train').catch((e) => { console.log(e.code); console.log(e.message); })`]);
    expect(api.stdout.split('\n')[0]).toBe('missing-dependency');
    expect(api.stdout).toContain(line);
    trainingLine = line!;
  });

  it('says that vaekit/train and vaekit/export are ESM-only when required from CommonJS', () => {
    for (const entry of ['vaekit/train', 'vaekit/export']) {
      const r = sdk.run(process.execPath, ['--input-type=commonjs', '-e', `try { require('${entry}'); } catch (e) { console.log(e.message); }`]);
      expect(r.stdout, entry).toContain(`${entry} is ESM-only`);
      expect(r.stdout, entry).toContain(`await import('${entry}')`);
    }
  });
});

describe('an app that trains: npm i vaekit plus the line vaekit printed', () => {
  let trainer: Consumer;

  beforeAll(() => {
    const packages = trainingLine.replace(/^npm i /, '').split(' ');
    const app = installConsumer('train', [packed.tarball, ...packages]);
    expect(app.install.status, `npm i failed:\n${app.install.stderr}`).toBe(0);
    trainer = app;
    console.info(`training app: node_modules ${(treeBytes(join(app.dir, 'node_modules')) / MB).toFixed(1)} MB`);
  }, 900_000);

  it('trains on the embedded digits and exports a verified model, without onnxruntime-node', () => {
    const bin = join(trainer.dir, 'node_modules/.bin/vaekit');
    const r = trainer.run(bin, ['train', '--epochs', '1', '--max-train', '2000', '--max-test', '500', '--seed', '1', '--out', 'runs/quick'], 600_000);
    expect(succeeded(r), r.stderr).toBe(true);
    const manifest = JSON.parse(readFileSync(join(trainer.dir, 'runs/quick/onnx/vaekit.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'vaekit/1', latentDim: 20 });
    const sample = trainer.run(process.execPath, ['--input-type=module', '-e', `import { Vae } from 'vaekit';\nconst vae = await Vae.load('runs/quick/onnx');\nconsole.log((await vae.sample(1, { seed: 1 })).mean.shape.join('x'));`]);
    expect(sample.stdout.trim()).toBe('1x28x28x1');
    // The export calibrates on the 500 test rows at the run's IWAE k, here on onnxruntime-web's wasm.
  }, 900_000);
});
