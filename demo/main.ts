/**
 * vaekit latent explorer: samples, latent sliders, interpolation and a drawing pad, all run in the
 * browser by vaekit's SDK on ONNX Runtime Web (wasm or webgpu). Built by rollup into dist/demo/;
 * `npm run demo` serves it.
 */
import { Vae, VaekitError } from '../src/web.js';
import { imageDims, toHwc } from '../src/vae/pixel-layout.js';
import { DrawingPad } from './draw.js';
import { clearCanvas, drawTiles, tileAt, type TileLayout } from './render.js';
import { Scheduler } from './scheduler.js';

type Device = 'wasm' | 'webgpu';
type Method = 'lerp' | 'slerp';

const MODEL_URL = new URL('./models/mnist-mlp/', location.href);
const SIZE = 28;
const GRID = { count: 64, layout: { cols: 8, scale: 2, gap: 2 } satisfies TileLayout };
const LATENT_LAYOUT: TileLayout = { cols: 1, scale: 6, gap: 0 };
const INTERP = { steps: 8, layout: { cols: 8, scale: 2, gap: 2 } satisfies TileLayout };
const RECON_LAYOUT: TileLayout = { cols: 1, scale: 5, gap: 0 };
const SLIDER_DIMS = 5;
const SLIDER_RANGE = 3;
const OPERATIONS = ['load', 'sample', 'decode', 'interpolate', 'reconstruct'] as const;
type Operation = (typeof OPERATIONS)[number];

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no <${type.name}> #${id}`);
  return found;
}

/**
 * n decoded images as drawTiles takes them, one grey value per pixel: a result is in the model's
 * layout (hwc or chw, results are [N, …input.shape]), transposed to channel-last, RGB made grey.
 */
function greyPixels(model: Vae, data: Float32Array, n: number): Float32Array {
  const { shape, layout } = model.manifest.input;
  const dims = imageDims(shape, layout);
  if (!dims || dims.channels === 1) return data;
  const hwc = toHwc(data, n, dims, layout);
  const out = new Float32Array(n * dims.height * dims.width);
  for (let p = 0; p < out.length; p++) {
    const at = p * dims.channels;
    out[p] = dims.channels === 3 ? 0.299 * hwc[at]! + 0.587 * hwc[at + 1]! + 0.114 * hwc[at + 2]! : hwc[at]!;
  }
  return out;
}

function start(): void {
  const ui = {
    device: [...document.querySelectorAll<HTMLInputElement>('input[name="device"]')],
    provider: element('provider', HTMLElement),
    isolation: element('isolation', HTMLElement),
    status: element('status', HTMLElement),
    seed: element('seed', HTMLInputElement),
    newSeed: element('new-seed', HTMLButtonElement),
    temperature: element('temperature', HTMLInputElement),
    temperatureValue: element('temperature-value', HTMLOutputElement),
    samples: element('samples', HTMLCanvasElement),
    sliders: element('sliders', HTMLElement),
    resetLatent: element('reset-latent', HTMLButtonElement),
    latent: element('latent', HTMLCanvasElement),
    latentCaption: element('latent-caption', HTMLElement),
    method: [...document.querySelectorAll<HTMLInputElement>('input[name="method"]')],
    interpolation: element('interpolation', HTMLCanvasElement),
    pad: element('pad', HTMLCanvasElement),
    padInput: element('pad-input', HTMLCanvasElement),
    reconstruction: element('reconstruction', HTMLCanvasElement),
    clear: element('clear', HTMLButtonElement),
    reconstruct: element('reconstruct', HTMLButtonElement),
    timings: element('timings', HTMLTableSectionElement),
  };

  let vae: Vae | null = null;
  /** The last grid: its latents and decoded means. */
  let grid: { z: Float32Array; mean: Float32Array } | null = null;
  let selected = 0;
  /** The latent vector the sliders move (a copy of the selected sample's z). */
  let latent = new Float32Array(0);
  const timings = new Map<Operation, { ms: number; rows: number; provider: string }>();

  // — status, provider and timings —

  const setStatus = (text: string, kind: 'info' | 'warning' | 'error' = 'info') => {
    ui.status.textContent = text;
    ui.status.dataset['kind'] = kind;
  };
  const warnings: string[] = [];
  const onWarning = (message: string) => {
    warnings.push(message.replace(/^vaekit: /, ''));
    setStatus(warnings.join(' · '), 'warning');
  };
  const providerName = () => {
    if (!vae) return '—';
    const { encoder, decoder } = vae.provider;
    return encoder === decoder ? encoder : `encoder ${encoder}, decoder ${decoder}`;
  };
  const renderTimings = () => {
    ui.timings.replaceChildren(
      ...OPERATIONS.map((op) => {
        const t = timings.get(op);
        const row = document.createElement('tr');
        row.dataset['op'] = op;
        for (const text of [op, t ? (op === 'load' ? '2 graphs' : `×${t.rows}`) : '', t ? t.ms.toFixed(1) : '—', t?.provider ?? '']) {
          const cell = document.createElement('td');
          cell.textContent = text;
          row.append(cell);
        }
        return row;
      }),
    );
  };
  async function timed<T>(op: Operation, rows: number, run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const result = await run();
    timings.set(op, { ms: performance.now() - t0, rows, provider: providerName() });
    renderTimings();
    return result;
  }

  const scheduler = new Scheduler((error) => {
    const message = error instanceof VaekitError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    document.body.dataset['state'] = 'error';
    setStatus(message, 'error');
  });

  // — the sample grid —

  const seed = () => {
    const value = Number(ui.seed.value);
    return Number.isInteger(value) && value >= 0 ? value : 0;
  };
  const temperature = () => Number(ui.temperature.value);

  const drawGrid = () => {
    if (!grid) return;
    drawTiles(ui.samples, grid.mean, GRID.count, SIZE, GRID.layout);
    const ctx = ui.samples.getContext('2d')!;
    const step = SIZE * GRID.layout.scale + GRID.layout.gap;
    const edge = SIZE * GRID.layout.scale;
    const mark = (index: number, color: string, label?: string) => {
      const x = (index % GRID.layout.cols) * step;
      const y = Math.floor(index / GRID.layout.cols) * step;
      if (label) {
        ctx.fillStyle = color;
        ctx.font = '600 11px system-ui, sans-serif';
        ctx.fillText(label, x + 4, y + 13);
      } else {
        ctx.strokeStyle = color;
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + 1, edge - 2, edge - 2);
      }
    };
    mark(selected, '#f5a524');
    mark(0, '#7cc4ff', 'A');
    mark(1, '#7cc4ff', 'B');
  };

  async function sampleGrid(): Promise<void> {
    if (!vae) return;
    const model = vae;
    const result = await timed('sample', GRID.count, () => model.sample(GRID.count, { seed: seed(), temperature: temperature() }));
    grid = { z: result.z.data, mean: greyPixels(model, result.mean.data, GRID.count) };
    selectSample(selected);
    await decodeLatent();
    await interpolate();
  }

  function selectSample(index: number): void {
    if (!grid || !vae) return;
    selected = index;
    const J = vae.latentDim;
    latent = grid.z.slice(index * J, (index + 1) * J);
    for (let d = 0; d < SLIDER_DIMS; d++) {
      const slider = ui.sliders.querySelector<HTMLInputElement>(`input[data-dim="${d}"]`)!;
      slider.value = String(Math.max(-SLIDER_RANGE, Math.min(SLIDER_RANGE, latent[d]!)));
      showSliderValue(d);
    }
    ui.latentCaption.textContent = `sample ${index + 1} of the grid`;
    drawGrid();
  }

  // — latent sliders —

  const showSliderValue = (d: number) => {
    const slider = ui.sliders.querySelector<HTMLInputElement>(`input[data-dim="${d}"]`)!;
    ui.sliders.querySelector<HTMLOutputElement>(`output[data-dim="${d}"]`)!.value = Number(slider.value).toFixed(2);
  };

  for (let d = 0; d < SLIDER_DIMS; d++) {
    const label = document.createElement('label');
    label.className = 'slider';
    const name = document.createElement('span');
    name.innerHTML = `z<sub>${d}</sub>`;
    const slider = document.createElement('input');
    Object.assign(slider, { type: 'range', min: String(-SLIDER_RANGE), max: String(SLIDER_RANGE), step: '0.01', value: '0', id: `z${d}` });
    slider.dataset['dim'] = String(d);
    const value = document.createElement('output');
    value.dataset['dim'] = String(d);
    value.value = '0.00';
    label.append(name, slider, value);
    ui.sliders.append(label);
    slider.addEventListener('input', () => {
      showSliderValue(d);
      if (latent.length > d) latent[d] = Number(slider.value);
      scheduler.schedule('latent', decodeLatent);
    });
  }

  async function decodeLatent(): Promise<void> {
    if (!vae || latent.length === 0) return;
    const model = vae;
    const z = latent.slice();
    const { mean } = await timed('decode', 1, () => model.decode(z, { meanOnly: true }));
    drawTiles(ui.latent, greyPixels(model, mean.data, 1), 1, SIZE, LATENT_LAYOUT);
  }

  // — interpolation —

  const method = (): Method => (ui.method.find((input) => input.checked)?.value === 'slerp' ? 'slerp' : 'lerp');

  async function interpolate(): Promise<void> {
    if (!vae || !grid) return;
    const model = vae;
    const J = model.latentDim;
    const a = grid.z.subarray(0, J);
    const b = grid.z.subarray(J, 2 * J);
    const { mean } = await timed('interpolate', INTERP.steps, () => model.interpolate(a, b, INTERP.steps, { method: method() }));
    drawTiles(ui.interpolation, greyPixels(model, mean.data, INTERP.steps), INTERP.steps, SIZE, INTERP.layout);
  }

  // — drawing pad —

  const clearReconstruction = () => {
    clearCanvas(ui.padInput);
    clearCanvas(ui.reconstruction, '#1b1e24');
  };

  async function reconstruct(): Promise<void> {
    if (!vae) return;
    if (pad.isEmpty) {
      clearReconstruction();
      return;
    }
    const model = vae;
    // The pad's pixels go in as ImageData: the SDK converts them to the model's channels and
    // layout (channel-first for a chw model), so nothing here depends on either.
    const image = pad.toMnist(ui.padInput);
    const picture = await timed('reconstruct', 1, () => model.reconstruct(image));
    if (!pad.isEmpty) drawTiles(ui.reconstruction, greyPixels(model, picture.data, 1), 1, SIZE, RECON_LAYOUT);
  }

  const pad = new DrawingPad(ui.pad, () => scheduler.schedule('reconstruct', reconstruct));

  // — the model and the device —

  async function load(device: Device): Promise<void> {
    document.body.dataset['state'] = 'loading';
    for (const input of ui.device) input.disabled = true;
    try {
      setStatus(`Loading the model on ${device}…`);
      ui.provider.textContent = '…';
      const previous = vae;
      vae = null;
      await previous?.dispose();
      warnings.length = 0;
      const t0 = performance.now();
      vae = await Vae.load(MODEL_URL, { device, onWarning });
      timings.set('load', { ms: performance.now() - t0, rows: 0, provider: providerName() });
      renderTimings();
      ui.provider.textContent = providerName();
      ui.provider.dataset['provider'] = providerName();
      if (warnings.length === 0) setStatus(`Ready: ${vae.manifest.name}, ${vae.latentDim} latent dimensions, requested ${device}.`);
      await sampleGrid();
      await reconstruct();
      document.body.dataset['state'] = 'ready';
    } finally {
      for (const input of ui.device) input.disabled = false;
    }
  }

  // — wiring —

  const resample = () => scheduler.schedule('samples', sampleGrid);
  ui.seed.addEventListener('input', () => {
    if (ui.seed.value !== '' && ui.seed.checkValidity()) resample();
  });
  ui.newSeed.addEventListener('click', () => {
    ui.seed.value = String(Math.floor(Math.random() * 100_000));
    resample();
  });
  ui.temperature.addEventListener('input', () => {
    ui.temperatureValue.value = temperature().toFixed(2);
    resample();
  });
  ui.samples.addEventListener('click', (event) => {
    const index = tileAt(ui.samples, event, GRID.count, SIZE, GRID.layout);
    if (index < 0 || !grid) return;
    selectSample(index);
    scheduler.schedule('latent', decodeLatent);
  });
  ui.resetLatent.addEventListener('click', () => {
    selectSample(selected);
    scheduler.schedule('latent', decodeLatent);
  });
  for (const input of ui.method) input.addEventListener('change', () => scheduler.schedule('interpolate', interpolate));
  ui.clear.addEventListener('click', () => {
    pad.clear();
    clearReconstruction();
  });
  ui.reconstruct.addEventListener('click', () => scheduler.schedule('reconstruct', reconstruct));
  for (const input of ui.device) {
    input.addEventListener('change', () => {
      if (input.checked) scheduler.schedule('load', () => load(input.value as Device));
    });
  }

  ui.isolation.textContent = crossOriginIsolated ? 'cross-origin isolated: wasm threads on' : 'not cross-origin isolated: wasm runs 1 thread';
  ui.temperatureValue.value = temperature().toFixed(2);
  clearReconstruction();
  renderTimings();
  const initial = ui.device.find((input) => input.checked)?.value === 'webgpu' ? 'webgpu' : 'wasm';
  scheduler.schedule('load', () => load(initial));
}

// onnxruntime-web starts its wasm threads as workers running this same bundle: only the page starts the demo.
if (typeof document !== 'undefined') start();
