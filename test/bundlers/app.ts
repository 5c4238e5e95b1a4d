/**
 * A throwaway app folder for a bundler fixture, laid out as `npm install vaekit` would leave it:
 * the fixture's files, a package.json, node_modules/vaekit holding the package exactly as it is
 * published (scripts/package/stage.ts) and vaekit's browser dependencies as hard links (copies
 * across file systems), and the mnist-mlp model in the app's static folder.
 */
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stagePackage } from '../../scripts/package/stage.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./', import.meta.url));
/** What dist/web.js and dist/wasm.js import, and what those import. */
const BROWSER_DEPENDENCIES = ['onnxruntime-web', 'onnxruntime-common', '@bufbuild/protobuf', 'fflate'];
const MODEL_FILES = ['vaekit.json', 'encoder.onnx', 'decoder.onnx'];

function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
}

/** Makes the app for fixture `name` with the model under `staticFolder`; returns its folder. */
export function makeApp(name: string, staticFolder: string): string {
  const app = mkdtempSync(join(tmpdir(), `vaekit-${name}-`));
  linkTree(join(FIXTURES, name), app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `${name}-app`, private: true, type: 'module' }));
  stagePackage(join(app, 'node_modules/vaekit'));
  for (const dependency of BROWSER_DEPENDENCIES) linkTree(join(ROOT, 'node_modules', dependency), join(app, 'node_modules', dependency));
  const model = join(app, staticFolder, 'models/mnist-mlp');
  mkdirSync(model, { recursive: true });
  for (const file of MODEL_FILES) copyFileSync(join(ROOT, 'models/mnist-mlp', file), join(model, file));
  return app;
}
