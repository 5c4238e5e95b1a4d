// A browser app's TypeScript (moduleResolution "bundler"): 'vaekit' types as the browser entry.
import { Vae, setWasmPaths, type WasmPaths } from 'vaekit';
import { Vae as WasmOnlyVae, setWasmPaths as setWasmOnlyPaths } from 'vaekit/wasm';

const paths: WasmPaths = 'https://cdn.jsdelivr.net/npm/onnxruntime-web@1.30.0/dist/';
export const configure = (): void => setWasmPaths(paths);
export const configureWasmOnly = (): void => setWasmOnlyPaths(null);
export const load = (): Promise<Vae> => Vae.load(new URL('./models/mnist-mlp/', location.href), { device: 'webgpu' });
export const loadWasmOnly = (): Promise<WasmOnlyVae> => WasmOnlyVae.load('./models/mnist-mlp/', { device: 'wasm' });
