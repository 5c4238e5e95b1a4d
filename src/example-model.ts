/**
 * Where the example model lives in an installed vaekit (Node only): the MLP VAE trained on the
 * embedded MNIST digits, with float16 weights (1.3 MB), at `node_modules/vaekit/models/mnist-mlp-fp16`.
 *
 * @example
 * ```ts
 * import { Vae, exampleModelPath } from 'vaekit';
 * const vae = await Vae.load(exampleModelPath());
 * const { mean } = await vae.sample(4, { seed: 1 });
 * mean.shape.join('x'); // "4x28x28x1"
 * await vae.dispose();
 * ```
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The folder name of the example model inside the package. */
export const EXAMPLE_MODEL_FOLDER = 'models/mnist-mlp-fp16';

/** The absolute path of the example model's folder, ready for `Vae.load`. */
export function exampleModelPath(): string {
  // The package resolves itself by name through its own "exports", from any of its files (ESM or CJS).
  const manifest = createRequire(import.meta.url).resolve('vaekit/package.json');
  return join(dirname(manifest), EXAMPLE_MODEL_FOLDER);
}
