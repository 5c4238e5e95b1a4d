/**
 * Bundles the browser runners' page code (page-entry.ts → conformance.ts → vaekit's browser
 * entry, onnxruntime-web inlined) with rollup's JS API into dist/parity-runner.js, next to the
 * onnxruntime-web files `npm run build` copies there, and writes the page that loads it.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import resolveModule from '@rollup/plugin-node-resolve';
import typescriptModule from '@rollup/plugin-typescript';
import { rollup } from 'rollup';

// The plugins' types are CommonJS-shaped under NodeNext (the default import types as the module);
// at run time the ESM build's default export is the plugin function itself.
const typescript = (typeof typescriptModule === 'function' ? typescriptModule : typescriptModule.default) as typeof typescriptModule.default;
const resolve = (typeof resolveModule === 'function' ? resolveModule : resolveModule.default) as typeof resolveModule.default;

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = new URL('../../dist/', import.meta.url);
export const ORT_WEB_FILES = ['ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm'];
/** Page and script, relative to the repository root (what the static server serves). */
export const PAGE = 'dist/parity.html';
export const SCRIPT = 'dist/parity-runner.js';

/** Throws a clear error when the build's onnxruntime-web files are not in dist/. */
export function checkOrtWebFiles(): void {
  const missing = ORT_WEB_FILES.filter((file) => !existsSync(new URL(file, DIST)));
  if (missing.length) {
    throw new Error(
      `the browser parity runners need onnxruntime-web's ${missing.map((f) => `dist/${f}`).join(' and ')}, which \`npm run build\` copies there: run \`npm run build\` first (\`npm test\` does)`,
    );
  }
}

/**
 * Builds dist/parity-runner.js and dist/parity.html (or other names, so that test files running
 * side by side never write one file at once) from page-entry.ts, or from `entry` (a test file's
 * own page code); returns the bundling time in ms.
 */
export async function bundlePageRunner({ script = 'parity-runner.js', page = 'parity.html', entry = new URL('./page-entry.ts', import.meta.url) } = {}): Promise<number> {
  checkOrtWebFiles();
  const started = performance.now();
  const bundle = await rollup({
    input: fileURLToPath(entry),
    plugins: [
      typescript({
        // No tsconfig file: tsconfig.build.json's program covers src/ and export/ only, not test/.
        tsconfig: false,
        include: [`${ROOT}src/**/*.ts`, `${ROOT}test/parity/conformance.ts`, `${ROOT}test/parity/model-kind-quantities.ts`, `${ROOT}test/parity/page-entry.ts`, fileURLToPath(entry)],
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2022', 'DOM'],
          types: [],
          strict: true,
          verbatimModuleSyntax: true,
          isolatedModules: true,
          skipLibCheck: true,
          resolveJsonModule: true,
          sourceMap: false,
          declaration: false,
          noEmitOnError: true,
        },
      }),
      resolve({ browser: true, exportConditions: ['browser', 'import', 'default'] }),
    ],
    onwarn(warning) {
      // onnxruntime-web's own bundle: `this` at top level, eval-free dynamic imports; not ours.
      if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'EVAL' || warning.code === 'CIRCULAR_DEPENDENCY') return;
      throw new Error(`rollup (parity runner): ${warning.message}`);
    },
  });
  try {
    await bundle.write({ file: fileURLToPath(new URL(script, DIST)), format: 'es', sourcemap: false });
  } finally {
    await bundle.close();
  }
  await writeFile(
    new URL(page, DIST),
    `<!doctype html><meta charset="utf-8"><title>vaekit parity</title>\n<script type="module" src="./${script}"></script>\n`,
  );
  return performance.now() - started;
}
