import { builtinModules, createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import typescript from '@rollup/plugin-typescript';
import resolve from '@rollup/plugin-node-resolve';
import copy from 'rollup-plugin-copy';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const dependencies = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
];
// Dependencies and Node builtins stay imports: the wasm backends find their .wasm files next to themselves.
const external = (id) =>
  id.startsWith('node:') ||
  builtinModules.includes(id) ||
  dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));

// onnxruntime-web's browser build loads these at run time; they go next to the browser bundles.
// Resolves the package's require entry (dist/ort.min.js): its folder holds the wasm files.
const ortWebDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
const ORT_WEB_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'];

const onwarn = (warning) => {
  throw new Error(`rollup: ${warning.message}`);
};
const ts = () => typescript({ tsconfig: './tsconfig.build.json' });

export default [
  {
    // Node: the SDK, the trainer, the exporter and the CLI (ESM).
    input: {
      node: 'src/node.ts',
      index: 'src/index.ts',
      cli: 'src/cli/main.ts',
      train: 'src/train/index.ts',
      export: 'export/index.ts',
    },
    output: { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
    external,
    plugins: [ts()],
    onwarn,
  },
  {
    // Node, CommonJS: `require('vaekit')`.
    input: 'src/node.ts',
    output: { file: 'dist/node.cjs', format: 'cjs', sourcemap: true, exports: 'named' },
    external,
    plugins: [typescript({ tsconfig: './tsconfig.build.json', declaration: false, declarationDir: undefined, outDir: 'dist' })],
    onwarn,
  },
  {
    // Browser, for bundlers: onnxruntime-web stays an import.
    input: 'src/web.ts',
    output: { file: 'dist/web.js', format: 'es', sourcemap: true },
    external,
    plugins: [typescript({ tsconfig: './tsconfig.build.json', declaration: false, declarationDir: undefined, outDir: 'dist' })],
    onwarn,
  },
  {
    // Browser, for bundlers, wasm only (`vaekit/wasm`): the same entry on onnxruntime-web's wasm-only
    // build, whose ort-wasm-simd-threaded.wasm is 14 MB against 28 MB for the JSEP (WebGPU) one.
    input: 'src/web.ts',
    output: { file: 'dist/wasm.js', format: 'es', sourcemap: true },
    // rollup asks `external` before any resolveId hook: leave the bare name to the plugin below.
    external: (id) => id !== 'onnxruntime-web' && external(id),
    plugins: [
      {
        name: 'onnxruntime-web-wasm-only',
        resolveId: (id) => (id === 'onnxruntime-web' ? { id: 'onnxruntime-web/wasm', external: true } : null),
        // src/runtime/ort-web-build.ts: this build has no WebGPU.
        load: (id) => (id.endsWith('/src/runtime/ort-web-build.ts') ? 'export const WEBGPU_BUILT_IN = false;\n' : null),
      },
      typescript({ tsconfig: './tsconfig.build.json', declaration: false, declarationDir: undefined, outDir: 'dist' }),
    ],
    onwarn,
  },
  {
    // Browser, self-contained (no bundler, the demo): onnxruntime-web inlined, its wasm files copied
    // beside (its inlined code finds them with `new URL(file, import.meta.url)`, the bundle's URL).
    input: 'src/web.ts',
    output: { file: 'dist/vaekit.web.bundle.js', format: 'es', sourcemap: true },
    plugins: [
      typescript({ tsconfig: './tsconfig.build.json', declaration: false, declarationDir: undefined, outDir: 'dist' }),
      resolve({ browser: true, exportConditions: ['browser', 'import', 'default'] }),
      copy({ targets: ORT_WEB_FILES.map((file) => ({ src: join(ortWebDist, file), dest: 'dist' })), hook: 'writeBundle' }),
    ],
    onwarn(warning, warn) {
      // onnxruntime-web's own bundle uses eval-free dynamic imports and `this` at top level; not ours to fix.
      if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'EVAL' || warning.code === 'CIRCULAR_DEPENDENCY') return;
      onwarn(warning, warn);
    },
  },
  {
    // The latent explorer (demo/, `npm run demo`): a static folder with the page, its bundle
    // (the browser SDK and onnxruntime-web inlined), onnxruntime-web's wasm files and the model.
    input: 'demo/main.ts',
    output: { file: 'dist/demo/demo.js', format: 'es', sourcemap: true },
    plugins: [
      typescript({ tsconfig: './demo/tsconfig.json', outDir: 'dist/demo' }),
      resolve({ browser: true, exportConditions: ['browser', 'import', 'default'] }),
      copy({
        targets: [
          ...ORT_WEB_FILES.map((file) => ({ src: join(ortWebDist, file), dest: 'dist/demo' })),
          { src: ['demo/index.html', 'demo/style.css'], dest: 'dist/demo' },
          { src: ['models/mnist-mlp/vaekit.json', 'models/mnist-mlp/encoder.onnx', 'models/mnist-mlp/decoder.onnx'], dest: 'dist/demo/models/mnist-mlp' },
        ],
        hook: 'writeBundle',
      }),
    ],
    onwarn(warning, warn) {
      // As for the bundle above: onnxruntime-web's own code, not ours.
      if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'EVAL' || warning.code === 'CIRCULAR_DEPENDENCY') return;
      onwarn(warning, warn);
    },
  },
];
