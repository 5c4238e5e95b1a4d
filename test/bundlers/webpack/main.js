// A webpack 5 app with no config: `import { Vae } from 'vaekit'`, the model in public/models/mnist-mlp.
import { Vae } from 'vaekit';

const device = new URLSearchParams(location.search).get('device') === 'webgpu' ? 'webgpu' : 'wasm';
const canvas = document.getElementById('samples');

async function main() {
  const vae = await Vae.load(new URL('./models/mnist-mlp/', location.href), { device, strict: true });
  const { mean } = await vae.sample(4, { seed: 1 });
  const image = new ImageData(112, 28);
  mean.data.forEach((value, i) => {
    const digit = Math.floor(i / 784), y = Math.floor((i % 784) / 28), x = i % 28;
    const at = (y * 112 + digit * 28 + x) * 4;
    image.data.fill(Math.round(value * 255), at, at + 3);
    image.data[at + 3] = 255;
  });
  canvas.getContext('2d').putImageData(image, 0, 0);
  document.body.dataset.state = `drawn on ${vae.provider.decoder}`;
}

main().catch((e) => {
  document.body.dataset.state = `error: ${e.message}`;
});
