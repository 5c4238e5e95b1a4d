/**
 * Lays out the npm package of vaekit in a folder, exactly as `npm pack` will pack it: the published
 * manifest (published-manifest.ts), README.md, LICENSE, the built JavaScript minified (functions
 * and classes keep their names), the declaration files users can reach,
 * and the example model with float16 weights. Left out: source maps (their sources are not
 * shipped), the demo, the parity pages, the self-contained browser bundle and its copies of
 * onnxruntime-web's .wasm (apps get the .wasm from onnxruntime-web itself).
 */
import { transformSync } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishedManifest, type Manifest } from './published-manifest.js';
import { exportedTypes, reachableTypes } from './reachable-types.js';

export const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

/** The example model the package carries: `vaekit/models/mnist-mlp-fp16/`. */
export const EXAMPLE_MODEL = 'models/mnist-mlp-fp16';
// Not its model card: the pictures it shows stay in the repository.
const MODEL_FILES = ['vaekit.json', 'encoder.onnx', 'decoder.onnx'];
/** Built files that stay in the repository (see the file comment). */
const NOT_SHIPPED = /^dist\/(demo\/|parity|demo-screenshot\.png$|vaekit\.web\.bundle\.js|ort-wasm-)/;

function filesUnder(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    return entry.isDirectory() ? filesUnder(root, path) : [path];
  });
}

/** The repository files that ship, relative to the repository. */
export function shippedFiles(repository = REPOSITORY): string[] {
  const manifest = JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')) as Manifest;
  const types = reachableTypes(repository, exportedTypes(manifest.exports));
  const built = filesUnder(repository, 'dist').filter((file) => {
    if (NOT_SHIPPED.test(file)) return false;
    if (file.endsWith('.d.ts')) return types.has(file);
    return file.endsWith('.js') || file.endsWith('.cjs');
  });
  return ['README.md', 'LICENSE', ...built.sort(), ...MODEL_FILES.map((file) => `${EXAMPLE_MODEL}/${file}`)];
}

function minify(file: string, code: string): string {
  // No `format`: imports, exports and `import.meta` stay exactly as rollup wrote them. keepNames:
  // classes and functions keep their `name` (VaekitError's `name`, stack frames).
  return transformSync(code, { minify: true, keepNames: true, legalComments: 'none', charset: 'utf8', sourcefile: file }).code;
}

/**
 * Writes the package into `to` (replaced whole: it is built into `to`.staging first, then renamed).
 * Returns the files written, relative to `to`, with their sizes.
 */
export function stagePackage(to: string, repository = REPOSITORY): { file: string; bytes: number }[] {
  const files = shippedFiles(repository);
  const shipped = new Set(files);
  const repoManifest = JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')) as Manifest;
  const manifest = publishedManifest(repoManifest, (file) => shipped.has(file));
  const staging = `${to}.staging`;
  rmSync(staging, { recursive: true, force: true });
  const written: { file: string; bytes: number }[] = [];
  const write = (file: string, data: string | Buffer) => {
    mkdirSync(dirname(join(staging, file)), { recursive: true });
    writeFileSync(join(staging, file), data);
    written.push({ file, bytes: Buffer.byteLength(data) });
  };
  write('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
  for (const file of files) {
    const source = join(repository, file);
    if (/\.c?js$/.test(file)) write(file, minify(file, readFileSync(source, 'utf8')));
    else {
      mkdirSync(dirname(join(staging, file)), { recursive: true });
      copyFileSync(source, join(staging, file));
      written.push({ file, bytes: readFileSync(source).length });
    }
  }
  rmSync(to, { recursive: true, force: true });
  renameSync(staging, to);
  return written.map((w) => ({ ...w, file: relative('.', w.file) }));
}
