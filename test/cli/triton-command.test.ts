/**
 * `vaekit triton MODEL --out DIR`: the Triton model repository it writes — the layout, each
 * config.pbtxt parsed by Debian's protoc as Triton's `inference.ModelConfig` text format (against
 * test/fixtures/triton/model_config.proto, the field numbers of Triton's own model_config.proto)
 * and read back, the graphs byte for byte, the manifest, a fixed-batch model, and the rules of
 * output folders (a foreign --out refused before any work, --force, replacing its own repository).
 * protoc is required: without it these tests fail, naming the apt package (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tritonCommand } from '../../src/cli/triton-command.js';
import { VaekitError } from '../../src/errors.js';
import { parseManifest } from '../../src/manifest/index.js';
import { nodeRuntime } from '../../src/runtime/node-runtime.js';
import { tritonModelConfig } from '../../src/triton/model-config.js';
import { writeModelFolder } from '../../src/train/run/write-model-folder.js';
import { importVae } from '../../export/import/import-vae.js';
import { temporaryFolders } from '../helpers/temporary-folders.js';
import { rejected } from '../helpers/thrown.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROTO_DIR = join(ROOT, 'test/fixtures/triton');
const CLI = join(ROOT, 'dist/cli.js');
const temporary = temporaryFolders('vaekit-triton-');

/** Runs protoc on `input`; fails (never skips) when protoc is missing. */
function protoc(args: string[], input: string | Uint8Array): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync('protoc', [`--proto_path=${PROTO_DIR}`, ...args, 'model_config.proto'], { input });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('protoc is not installed: these tests parse config.pbtxt with it. Install Debian\'s package protobuf-compiler (apt-get install protobuf-compiler; .ci/run does)');
  }
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** config.pbtxt as protoc reads it: encoded as inference.ModelConfig (must succeed), decoded back to canonical text. */
function parsedConfig(text: string): { binary: Buffer; canonical: string } {
  const encoded = protoc(['--encode=inference.ModelConfig'], text);
  expect(encoded.stderr, text).toBe('');
  expect(encoded.status, text).toBe(0);
  const decoded = protoc(['--decode=inference.ModelConfig'], encoded.stdout);
  expect(decoded.status).toBe(0);
  return { binary: encoded.stdout, canonical: decoded.stdout.toString() };
}

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

let logged: string[] = [];
afterEach(() => vi.restoreAllMocks());

async function vaekitTriton(...args: string[]): Promise<void> {
  logged = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void logged.push(String(line)));
  await tritonCommand().exitOverride().parseAsync(['node', 'vaekit', ...args]);
}

const tensor = (field: 'input' | 'output', name: string, dims: number[]) =>
  `${field} {\n  name: "${name}"\n  data_type: TYPE_FP32\n${dims.map((d) => `  dims: ${d}\n`).join('')}}\n`;

function expectedConfig(name: string, maxBatchSize: number, inputs: [string, number[]][], outputs: [string, number[]][], delay?: number): string {
  return (
    // proto3: protoc's canonical text leaves out a field holding its default (max_batch_size 0).
    `name: "${name}"\nplatform: "onnxruntime_onnx"\n${maxBatchSize ? `max_batch_size: ${maxBatchSize}\n` : ''}` +
    inputs.map(([n, d]) => tensor('input', n, d)).join('') +
    outputs.map(([n, d]) => tensor('output', n, d)).join('') +
    (delay === undefined ? '' : `dynamic_batching {\n  max_queue_delay_microseconds: ${delay}\n}\n`)
  );
}

describe('vaekit triton', () => {
  it('writes models/mnist-mlp as a Triton repository: configs protoc parses as inference.ModelConfig, the graphs unchanged, the manifest at the top', async () => {
    const out = join(await temporary.folder(), 'repo');
    await vaekitTriton(join(ROOT, 'models/mnist-mlp'), '--out', out);
    expect(filesUnder(out)).toEqual([
      'mnist-mlp-decoder/1/model.onnx',
      'mnist-mlp-decoder/config.pbtxt',
      'mnist-mlp-encoder/1/model.onnx',
      'mnist-mlp-encoder/config.pbtxt',
      'vaekit.json',
    ]);
    const encoder = parsedConfig(readFileSync(join(out, 'mnist-mlp-encoder/config.pbtxt'), 'utf8'));
    expect(encoder.canonical).toBe(expectedConfig('mnist-mlp-encoder', 256, [['x', [28, 28, 1]]], [['mu', [20]], ['logvar', [20]]], 100));
    const decoder = parsedConfig(readFileSync(join(out, 'mnist-mlp-decoder/config.pbtxt'), 'utf8'));
    expect(decoder.canonical).toBe(expectedConfig('mnist-mlp-decoder', 256, [['z', [20]]], [['logits', [28, 28, 1]], ['mean', [28, 28, 1]]], 100));
    for (const role of ['encoder', 'decoder']) {
      expect(readFileSync(join(out, `mnist-mlp-${role}/1/model.onnx`)).equals(readFileSync(join(ROOT, `models/mnist-mlp/${role}.onnx`)))).toBe(true);
    }
    const original = parseManifest(readFileSync(join(ROOT, 'models/mnist-mlp/vaekit.json'), 'utf8'));
    expect(parseManifest(readFileSync(join(out, 'vaekit.json'), 'utf8'))).toEqual(original);
    expect(logged).toContain(`serve it: tritonserver --model-repository ${out}`);
    expect(readdirSync(join(out, '..'))).toEqual(['repo']); // no staging sibling left
  });

  it('takes the fp16 model, --name, --max-batch-size and --max-queue-delay', async () => {
    const out = join(await temporary.folder(), 'repo');
    await vaekitTriton(join(ROOT, 'models/mnist-mlp-fp16'), '--out', out, '--name', 'digits_v2', '--max-batch-size', '64', '--max-queue-delay', '0');
    expect(filesUnder(out)).toEqual(['digits_v2-decoder/1/model.onnx', 'digits_v2-decoder/config.pbtxt', 'digits_v2-encoder/1/model.onnx', 'digits_v2-encoder/config.pbtxt', 'vaekit.json']);
    // protoc leaves out a proto3 field holding its default (0), so the batcher block reads empty.
    expect(parsedConfig(readFileSync(join(out, 'digits_v2-encoder/config.pbtxt'), 'utf8')).canonical).toBe(
      expectedConfig('digits_v2-encoder', 64, [['x', [28, 28, 1]]], [['mu', [20]], ['logvar', [20]]]) + 'dynamic_batching {\n}\n',
    );
    expect(readFileSync(join(out, 'digits_v2-decoder/config.pbtxt'), 'utf8')).toContain('max_queue_delay_microseconds: 0\n');
    expect(readFileSync(join(out, 'digits_v2-decoder/1/model.onnx')).equals(readFileSync(join(ROOT, 'models/mnist-mlp-fp16/decoder.onnx')))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'vaekit.json'), 'utf8'))).toMatchObject({ name: 'mnist-mlp-fp16', precision: 'fp16' });
  });

  it('gives a graph that fixes its batch size max_batch_size 0, no dynamic batching and its full dims (a PyTorch export without dynamic_axes)', async () => {
    const dir = await temporary.folder();
    const fixture = join(ROOT, 'test/fixtures/pytorch-import/mlp-fixed-batch');
    const graphs = { encoder: new Uint8Array(readFileSync(join(fixture, 'encoder.onnx'))), decoder: new Uint8Array(readFileSync(join(fixture, 'decoder.onnx'))) };
    const imported = await importVae({ ...graphs, name: 'fixed', backend: nodeRuntime() });
    expect(imported.passed).toBe(true);
    const model = join(dir, 'fixed');
    await writeModelFolder(model, { 'encoder.onnx': imported.graphs.encoder, 'decoder.onnx': imported.graphs.decoder, 'vaekit.json': JSON.stringify(imported.manifest) });
    const out = join(dir, 'repo');
    await vaekitTriton(model, '--out', out);
    const { inputs, outputs } = imported.manifest.graphs.encoder;
    expect(parsedConfig(readFileSync(join(out, 'fixed-encoder/config.pbtxt'), 'utf8')).canonical).toBe(
      expectedConfig('fixed-encoder', 0, [[inputs['x']!, [1, 784]]], [[outputs['mu']!, [1, 8]], [outputs['logvar']!, [1, 8]]]),
    );
    const decoder = imported.manifest.graphs.decoder;
    expect(parsedConfig(readFileSync(join(out, 'fixed-decoder/config.pbtxt'), 'utf8')).canonical).toBe(
      expectedConfig('fixed-decoder', 0, [[decoder.inputs['z']!, [1, 8]]], [[decoder.outputs['mean']!, [1, 784]]]),
    );
    expect(readFileSync(join(out, 'fixed-encoder/config.pbtxt'), 'utf8')).toContain('\nmax_batch_size: 0\ninput [\n'); // no dynamic_batching
    expect(readFileSync(join(out, 'fixed-decoder/1/model.onnx')).equals(readFileSync(join(fixture, 'decoder.onnx')))).toBe(true);
    expect(logged.join('\n')).toContain('max_batch_size 0: the graph fixes its batch size');
  });

  it('writes any graph name as a text-format string protoc reads back byte for byte', () => {
    const names = ['input.1', 'say "hi"', 'back\\slash', 'zürich ✓', 'new\nline'];
    const text = tritonModelConfig({ name: 'm', maxBatchSize: 8, maxQueueDelayMicroseconds: 5, inputs: names.map((name) => ({ name, dims: [-1, 3] })), outputs: [{ name: 'y', dims: [2] }], comment: ['a\nb'] });
    const { binary, canonical } = parsedConfig(text);
    for (const name of names) expect(binary.includes(Buffer.from(name, 'utf8')), name).toBe(true);
    expect(canonical).toContain('dims: -1\n  dims: 3\n');
  });

  it('refuses an --out holding files vaekit did not write, before reading the model; --force writes beside them', async () => {
    const out = await temporary.folder({ 'notes/thesis.tex': 'mine', 'mnist-mlp-encoder/mine.txt': 'also mine' });
    const broken = join(await temporary.folder(), 'missing-model');
    const error = await rejected(vaekitTriton(broken, '--out', out));
    expect(error).toBeInstanceOf(VaekitError);
    expect((error as VaekitError).code).toBe('refused-overwrite');
    expect((error as VaekitError).message).toMatch(/^--out must be .* holds entries vaekit did not write: mnist-mlp-encoder\/mine\.txt, notes\/\. .*--force/);
    expect(filesUnder(out)).toEqual(['mnist-mlp-encoder/mine.txt', 'notes/thesis.tex']);

    await vaekitTriton(join(ROOT, 'models/mnist-mlp'), '--out', out, '--force');
    expect(filesUnder(out)).toEqual([
      'mnist-mlp-decoder/1/model.onnx',
      'mnist-mlp-decoder/config.pbtxt',
      'mnist-mlp-encoder/1/model.onnx',
      'mnist-mlp-encoder/config.pbtxt',
      'mnist-mlp-encoder/mine.txt',
      'notes/thesis.tex',
      'vaekit.json',
    ]);
    expect(readFileSync(join(out, 'notes/thesis.tex'), 'utf8')).toBe('mine');
    expect(readFileSync(join(out, 'mnist-mlp-encoder/mine.txt'), 'utf8')).toBe('also mine');
    parsedConfig(readFileSync(join(out, 'mnist-mlp-decoder/config.pbtxt'), 'utf8'));
  });

  it('replaces a repository it wrote as a whole, and refuses one whose config.pbtxt vaekit did not write', async () => {
    const out = join(await temporary.folder(), 'repo');
    await vaekitTriton(join(ROOT, 'models/mnist-mlp'), '--out', out);
    await vaekitTriton(join(ROOT, 'models/mnist-mlp'), '--out', out, '--name', 'renamed');
    expect(filesUnder(out)).toEqual(['renamed-decoder/1/model.onnx', 'renamed-decoder/config.pbtxt', 'renamed-encoder/1/model.onnx', 'renamed-encoder/config.pbtxt', 'vaekit.json']);
    expect(readdirSync(join(out, '..'))).toEqual(['repo']);

    writeFileSync(join(out, 'renamed-decoder/config.pbtxt'), 'name: "renamed-decoder"\nplatform: "onnxruntime_onnx"\n');
    const error = await rejected(vaekitTriton(join(ROOT, 'models/mnist-mlp'), '--out', out));
    expect((error as VaekitError).code).toBe('refused-overwrite');
    expect(readFileSync(join(out, 'renamed-decoder/config.pbtxt'), 'utf8')).toBe('name: "renamed-decoder"\nplatform: "onnxruntime_onnx"\n');
  });

  it('checks the model as Vae.load does: a graph that is not the one vaekit.json describes is refused and nothing is written', async () => {
    const dir = await temporary.folder();
    const model = join(dir, 'model');
    cpSync(join(ROOT, 'models/mnist-mlp'), model, { recursive: true });
    const decoder = readFileSync(join(model, 'decoder.onnx'));
    decoder[decoder.length - 1] = decoder[decoder.length - 1]! ^ 1;
    writeFileSync(join(model, 'decoder.onnx'), decoder);
    const out = join(dir, 'repo');
    const error = await rejected(vaekitTriton(model, '--out', out));
    expect((error as VaekitError).code).toBe('integrity-mismatch');
    expect(existsSync(out)).toBe(false);
  });

  it('asks for --name when the model name is not a Triton model name', async () => {
    const dir = await temporary.folder();
    const model = join(dir, 'model');
    cpSync(join(ROOT, 'models/mnist-mlp'), model, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(model, 'vaekit.json'), 'utf8'));
    writeFileSync(join(model, 'vaekit.json'), JSON.stringify({ ...manifest, name: 'my digits/v2' }));
    const out = join(dir, 'repo');
    const error = await rejected(vaekitTriton(model, '--out', out));
    expect((error as VaekitError).code).toBe('invalid-argument');
    expect((error as VaekitError).message).toContain(`the model's name (vaekit.json name) is "my digits/v2": pass --name`);
    expect(existsSync(out)).toBe(false);
    mkdirSync(out);
    await vaekitTriton(model, '--out', out, '--name', 'digits');
    expect(readdirSync(out).sort()).toEqual(['digits-decoder', 'digits-encoder', 'vaekit.json']);
  });

  it('is a command of the built CLI: one error line and exit 1 for a foreign --out, the repository and the tritonserver line on success', async () => {
    const dir = await temporary.folder({ 'mine/notes.txt': 'mine' });
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'triton', join(ROOT, 'models/mnist-mlp'), ...args], { encoding: 'utf8' });
    const refusedRun = cli('--out', dir);
    expect(refusedRun.status).toBe(1);
    expect(refusedRun.stderr).toMatch(/^vaekit: error: --out must be a new or empty folder, or a Triton model repository written by `vaekit triton`; .* holds an entry vaekit did not write: mine\/\. .*\n$/);
    const out = join(dir, 'repo');
    const ok = cli('--out', out);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`serve it: tritonserver --model-repository ${out}\n`);
    parsedConfig(readFileSync(join(out, 'mnist-mlp-encoder/config.pbtxt'), 'utf8'));
  });
});
