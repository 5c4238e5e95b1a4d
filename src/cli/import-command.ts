import { Command, Option } from 'commander';
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { VaekitError } from '../errors.js';
import { MANIFEST_FILE } from '../manifest/schema.js';
import { LIKELIHOODS } from '../manifest/input.js';
import type { TensorData } from '../runtime/backend.js';
import { nodeRuntime } from '../runtime/node-runtime.js';
import { readLocalOrRemote } from '../runtime/read-file-node.js';
import { assertWritable, inspectModelFolder } from '../train/run/output-folder.js';
import { writeModelFolder } from '../train/run/write-model-folder.js';
import { importVae, type ImportedVae } from '../../export/import/import-vae.js';
import { formatChecks } from '../../export/import/check-import.js';

/** ONNX's protobuf limit: a larger graph keeps its weights outside, which vaekit refuses anyway. */
const MAX_GRAPH_BYTES = 2 ** 31;
const MAX_REFERENCE_BYTES = 2 ** 30;
/** Library option names in importVae's messages → the flags a CLI user typed. */
const FLAGS: Record<string, string> = { mu: '--mu', logvar: '--logvar', mean: '--mean', logits: '--logits', logvarX: '--logvar-x', layout: '--layout', name: '--name' };

interface ImportFlags {
  encoder: string;
  decoder: string;
  out: string;
  name?: string;
  likelihood?: 'bernoulli' | 'gaussian' | 'gaussian-learned';
  sigma?: number;
  inputRange?: [number, number];
  layout?: 'hwc' | 'chw' | 'features';
  mu?: string;
  logvar?: string;
  mean?: string;
  logits?: string;
  logvarX?: string;
  reference?: string;
  force?: boolean;
}

function readGraph(path: string, what: string): Promise<Uint8Array> {
  return readLocalOrRemote(resolve(path), { limit: { bytes: MAX_GRAPH_BYTES, code: 'invalid-argument', what } });
}

/** Float32 data of one .npy file (float16/float64 converted; Fortran order refused). */
async function readNpy(path: string): Promise<TensorData> {
  const bytes = await readLocalOrRemote(path, { limit: { bytes: MAX_REFERENCE_BYTES, code: 'invalid-argument', what: `the reference ${path}` } });
  // npyjs: numpy's .npy format (header, dtype, order), made for exactly this; loaded only by import.
  const { parse: parseNpy } = await import('npyjs');
  let array;
  try {
    array = parseNpy(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch (cause) {
    throw new VaekitError('invalid-argument', `${path} is not a .npy file numpy can write (${(cause as Error).message})`, { cause });
  }
  if (array.fortranOrder) throw new VaekitError('invalid-argument', `${path} is stored in Fortran order; save it with np.save(path, np.ascontiguousarray(a))`);
  if (!['f2', 'f4', 'f8'].includes(array.dtype)) throw new VaekitError('invalid-argument', `${path} holds ${array.dtype} values; expected floating point (float32)`);
  const data = array.data instanceof Float32Array ? array.data : Float32Array.from(array.data as unknown as ArrayLike<number>);
  return { data, dims: array.shape.length ? array.shape : [1] };
}

/** reference/encoder/*.npy and reference/decoder/*.npy, by tensor name. */
async function readReference(dir: string): Promise<{ encoder?: Record<string, TensorData>; decoder?: Record<string, TensorData> }> {
  const reference: { encoder?: Record<string, TensorData>; decoder?: Record<string, TensorData> } = {};
  for (const graph of ['encoder', 'decoder'] as const) {
    let names: string[];
    try {
      names = (await readdir(join(dir, graph))).filter((f) => f.endsWith('.npy'));
    } catch {
      continue;
    }
    reference[graph] = {};
    for (const file of names.sort()) reference[graph][file.slice(0, -'.npy'.length)] = await readNpy(join(dir, graph, file));
  }
  if (!reference.encoder && !reference.decoder) {
    throw new VaekitError('invalid-argument', `--reference ${dir} holds neither encoder/ nor decoder/ with .npy files (encoder/<tensor name>.npy, decoder/<tensor name>.npy)`);
  }
  return reference;
}

function printImport(result: ImportedVae, out: string, seconds: number): void {
  const width = Math.max(...result.decisions.map((d) => d.what.length));
  console.log('what vaekit read from the graphs (graph), took from you (given) or assumed (default):');
  for (const d of result.decisions) console.log(`  ${d.what.padEnd(width)}  ${d.value}  (${d.source})`);
  console.log(`\n${formatChecks(result.checks)}`);
  if (!result.passed) return;
  const { encoder, decoder } = result.manifest.graphs;
  console.log(`\nmodel folder: ${out} (imported and checked in ${seconds.toFixed(1)} s)`);
  console.log(`  encoder.onnx  ${encoder.parameters.toLocaleString('en-US')} parameters`);
  console.log(`  decoder.onnx  ${decoder.parameters.toLocaleString('en-US')} parameters`);
  console.log(`  ${MANIFEST_FILE}   the manifest vaekit inferred (SHA-256 and size of each graph)`);
}

const parseRange = (text: string): [number, number] => {
  const parts = text.split(',').map(Number);
  if (parts.length !== 2 || !parts.every(Number.isFinite) || parts[0]! >= parts[1]!) throw new VaekitError('invalid-argument', `--input-range must be lo,hi with lo < hi (e.g. 0,1); found ${JSON.stringify(text)}`);
  return [parts[0]!, parts[1]!];
};

export function importCommand(): Command {
  return new Command('import')
    .description('Import a VAE exported to ONNX by another framework (PyTorch, Keras): infer its manifest, check it, write a model folder.')
    .requiredOption('--encoder <file>', 'the encoder graph (.onnx): x → μ, log σ² (extra outputs are ignored)')
    .requiredOption('--decoder <file>', 'the decoder graph (.onnx): z → mean or logits')
    .requiredOption('--out <dir>', 'model folder to write (missing, empty, or one vaekit wrote)')
    .option('--name <name>', 'model name in the manifest (default: the folder name)')
    .addOption(new Option('--likelihood <kind>', 'the decoder likelihood p(x|z) (default bernoulli)').choices(LIKELIHOODS))
    .option('--sigma <x>', 'gaussian: the decoder σ (default 1)', Number)
    .option('--input-range <lo,hi>', 'the range of the encoder input values (default 0,1)', parseRange)
    .addOption(new Option('--layout <layout>', 'images: where the channels are, when the shape does not show it').choices(['hwc', 'chw', 'features']))
    .option('--mu <name>', 'the encoder output that is μ (when the names do not say)')
    .option('--logvar <name>', 'the encoder output that is log σ²')
    .option('--mean <name>', 'the decoder output that is the mean (probabilities for bernoulli)')
    .option('--logits <name>', 'bernoulli: the decoder output that is the logits')
    .option('--logvar-x <name>', 'gaussian-learned: the decoder output that is log σ²')
    .option('--reference <dir>', "the author's inputs and outputs: <dir>/encoder/<tensor name>.npy, <dir>/decoder/<tensor name>.npy")
    .option('--force', 'write into a folder that holds other files (only vaekit’s entries are replaced)')
    .addHelpText(
      'after',
      '\nExample:\n  vaekit import --encoder encoder.onnx --decoder decoder.onnx --reference reference --out models/my-vae\n' +
        '\nNothing is written unless every check passes.\n',
    )
    .action(async (flags: ImportFlags) => {
      const started = performance.now();
      const out = resolve(flags.out);
      // Refuse a folder holding other files now, not after the checks.
      assertWritable(`'out'`, out, 'model', await inspectModelFolder(out), flags.force ?? false);
      const [encoder, decoder] = await Promise.all([readGraph(flags.encoder, 'the encoder (--encoder)'), readGraph(flags.decoder, 'the decoder (--decoder)')]);
      const reference = flags.reference ? await readReference(resolve(flags.reference)) : undefined;
      let result: ImportedVae;
      try {
        result = await importVae({
          encoder,
          decoder,
          name: flags.name ?? basename(out),
          backend: nodeRuntime(),
          ...(flags.likelihood ? { likelihood: flags.likelihood } : {}),
          ...(flags.sigma !== undefined ? { sigma: flags.sigma } : {}),
          ...(flags.inputRange ? { inputRange: flags.inputRange } : {}),
          ...(flags.layout ? { layout: flags.layout } : {}),
          ...Object.fromEntries((['mu', 'logvar', 'mean', 'logits', 'logvarX'] as const).filter((k) => flags[k] !== undefined).map((k) => [k, flags[k]])),
          ...(reference ? { reference } : {}),
        });
      } catch (error) {
        if (!(error instanceof VaekitError)) throw error;
        const message = Object.entries(FLAGS).reduce((text, [key, flag]) => text.replaceAll(`'${key}'`, flag), error.message);
        throw new VaekitError(error.code, message, { cause: error });
      }
      printImport(result, out, (performance.now() - started) / 1000);
      if (!result.passed) {
        const failed = result.checks.filter((c) => !c.passed).map((c) => `${c.graph} ${c.check}`);
        throw new VaekitError('verification-failed', `the import failed ${failed.length} check(s) (${failed.join('; ')}); nothing was written`);
      }
      await writeModelFolder(
        out,
        { 'encoder.onnx': result.graphs.encoder, 'decoder.onnx': result.graphs.decoder, [MANIFEST_FILE]: `${JSON.stringify(result.manifest, null, 2)}\n` },
        { force: flags.force ?? false },
      );
    });
}
