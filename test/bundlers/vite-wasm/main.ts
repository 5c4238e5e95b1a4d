// A Vite app with no config, wasm only: `import { Vae } from 'vaekit/wasm'` ships the 14 MB .wasm.
import { Vae } from 'vaekit/wasm';

// 'auto': this build has no WebGPU, so auto goes to wasm without trying it (no warning).
const device = 'auto';
const canvas = document.getElementById('samples') as HTMLCanvasElement;

try {
  const vae = await Vae.load(new URL('./models/mnist-mlp/', location.href), { device, strict: true });
  const { mean } = await vae.sample(4, { seed: 1 });
  const image = new ImageData(112, 28);
  mean.data.forEach((value, i) => {
    const digit = Math.floor(i / 784), y = Math.floor((i % 784) / 28), x = i % 28;
    const at = (y * 112 + digit * 28 + x) * 4;
    image.data.fill(Math.round(value * 255), at, at + 3);
    image.data[at + 3] = 255;
  });
  canvas.getContext('2d')!.putImageData(image, 0, 0);
  document.body.dataset['state'] = `drawn on ${vae.provider.decoder}`;
} catch (e) {
  document.body.dataset['state'] = `error: ${(e as Error).message}`;
}
