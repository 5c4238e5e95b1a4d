/**
 * The latent explorer (demo/) in headless Chromium: builds dist/demo/ when stale, serves it
 * cross-origin isolated, works every control and checks that the canvases it drives change, that
 * the provider switch reaches webgpu (SwiftShader) and back, and that the console stays clean.
 * Saves a screenshot to dist/demo-screenshot.png (demo/screenshot.png, shown in the README, is a
 * committed copy of one).
 */
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveDemo } from '../../scripts/serve-demo.js';
import type { StaticServer } from '../../scripts/static-server.js';
import { launchChromium } from '../browser/chromium.js';

// Into dist/ (not tracked): each run's screenshot differs by timings and must not dirty the tree.
const SCREENSHOT = fileURLToPath(new URL('../../dist/demo-screenshot.png', import.meta.url));

let server: StaticServer;
let browser: Browser;
let page: Page;
/** Console errors and warnings, page errors, failed requests and requests outside the served folder. */
const problems: string[] = [];
const timings: string[] = [];

interface Pixels {
  hash: number;
  /** Sum of the red channel: 0 for an all-black canvas. */
  ink: number;
}

/** A hash and the ink of a canvas's pixels, read back with getImageData. */
function pixels(id: string): Promise<Pixels> {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const data = canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 2166136261;
    let ink = 0;
    for (let i = 0; i < data.length; i++) hash = Math.imul(hash ^ data[i]!, 16777619);
    for (let i = 0; i < data.length; i += 4) ink += data[i]!;
    return { hash: hash >>> 0, ink };
  }, id);
}

/** Waits until the page has no queued or running model call and is not loading. */
async function settled(): Promise<void> {
  await page.waitForFunction(() => document.body.dataset['pending'] === '0' && document.body.dataset['state'] !== 'loading', undefined, { timeout: 20_000 });
  const state = await page.evaluate(() => ({ state: document.body.dataset['state'], status: document.getElementById('status')!.textContent }));
  expect(state.state, `status: ${state.status}`).toBe('ready');
}

async function provider(): Promise<string> {
  return (await page.textContent('#provider'))!.trim();
}

/** The timings table as "op ms provider" lines. */
async function timingRows(): Promise<string[]> {
  return page.$$eval('#timings tr', (rows) => (rows as HTMLTableRowElement[]).map((row) => Array.from(row.cells).map((cell) => cell.textContent).join(' ').trim()));
}

/** Draws a "2"-like stroke on the pad with the mouse (pointer events). */
async function drawDigit(): Promise<void> {
  const box = (await page.locator('#pad').boundingBox())!;
  const at = (x: number, y: number) => [box.x + x * box.width, box.y + y * box.height] as const;
  const path = [[0.3, 0.3], [0.45, 0.2], [0.62, 0.25], [0.66, 0.4], [0.55, 0.55], [0.35, 0.75], [0.3, 0.8], [0.5, 0.8], [0.72, 0.8]] as const;
  await page.mouse.move(...at(...path[0]));
  await page.mouse.down();
  for (const [x, y] of path.slice(1)) await page.mouse.move(...at(x, y), { steps: 4 });
  await page.mouse.up();
}

async function clickSegment(name: string, value: string): Promise<void> {
  await page.locator(`label:has(input[name="${name}"][value="${value}"])`).click();
}

beforeAll(async () => {
  server = await serveDemo({ port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 960 } });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console.${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(server.url) && !url.startsWith('data:') && !url.startsWith('blob:')) problems.push(`request outside the demo folder: ${url}`);
  });
  await page.goto(server.url);
  await settled();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('demo: latent explorer', () => {
  it('loads the model on wasm, cross-origin isolated, and draws samples, a latent and an interpolation', async () => {
    expect(await provider()).toBe('wasm');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    for (const id of ['samples', 'latent', 'interpolation']) expect((await pixels(id)).ink, id).toBeGreaterThan(0);
    expect((await pixels('pad')).ink, 'the drawing pad starts black').toBe(0);
    timings.push(`wasm: ${(await timingRows()).join(' | ')}`);
  });

  it('resamples the grid when the seed changes', async () => {
    const before = await Promise.all(['samples', 'latent', 'interpolation'].map(pixels));
    await page.fill('#seed', '7');
    await settled();
    const after = await Promise.all(['samples', 'latent', 'interpolation'].map(pixels));
    for (let i = 0; i < 3; i++) expect(after[i]!.hash).not.toBe(before[i]!.hash);
  });

  it('resamples the grid when the temperature moves', async () => {
    const before = await pixels('samples');
    await page.fill('#temperature', '0.5');
    await settled();
    expect(await page.textContent('#temperature-value')).toBe('0.50');
    expect((await pixels('samples')).hash).not.toBe(before.hash);
  });

  it('decodes the latent vector live as a slider moves', async () => {
    const samples = await pixels('samples');
    const before = await pixels('latent');
    await page.fill('#z0', '2.5');
    await settled();
    const moved = await pixels('latent');
    expect(moved.hash).not.toBe(before.hash);
    await page.fill('#z3', '-2.5');
    await settled();
    expect((await pixels('latent')).hash).not.toBe(moved.hash);
    expect((await pixels('samples')).hash).toBe(samples.hash);
    await page.click('#reset-latent');
    await settled();
    expect((await pixels('latent')).hash).toBe(before.hash);
  });

  it('switches the interpolation between lerp and slerp', async () => {
    const lerp = await pixels('interpolation');
    await clickSegment('method', 'slerp');
    await settled();
    const slerp = await pixels('interpolation');
    expect(slerp.hash).not.toBe(lerp.hash);
    await clickSegment('method', 'lerp');
    await settled();
    expect((await pixels('interpolation')).hash).toBe(lerp.hash);
  });

  it('reconstructs a drawing and clears it', async () => {
    const blank = { pad: await pixels('pad'), input: await pixels('pad-input'), reconstruction: await pixels('reconstruction') };
    expect(blank.pad.ink).toBe(0);
    await drawDigit();
    await settled();
    const drawn = { pad: await pixels('pad'), input: await pixels('pad-input'), reconstruction: await pixels('reconstruction') };
    expect(drawn.pad.ink).toBeGreaterThan(0);
    expect(drawn.input.ink).toBeGreaterThan(0);
    expect(drawn.reconstruction.hash).not.toBe(blank.reconstruction.hash);
    expect(drawn.reconstruction.ink).toBeGreaterThan(blank.reconstruction.ink);
    // The button reconstructs the same drawing again: the same picture (z = μ, no randomness).
    await page.click('#reconstruct');
    await settled();
    expect((await pixels('reconstruction')).hash).toBe(drawn.reconstruction.hash);
    await page.click('#clear');
    await settled();
    expect(await pixels('pad')).toEqual(blank.pad);
    expect(await pixels('pad-input')).toEqual(blank.input);
    expect(await pixels('reconstruction')).toEqual(blank.reconstruction);
  });

  it('switches the provider to webgpu and back to wasm', async () => {
    await clickSegment('device', 'webgpu');
    await settled();
    expect(await provider()).toBe('webgpu');
    for (const id of ['samples', 'latent', 'interpolation']) expect((await pixels(id)).ink, id).toBeGreaterThan(0);
    const rows = await timingRows();
    expect(rows.filter((row) => row.endsWith('webgpu'))).toHaveLength(4); // load, sample, decode, interpolate
    await drawDigit();
    await settled();
    expect((await timingRows()).find((row) => row.startsWith('reconstruct'))).toMatch(/webgpu$/);
    timings.push(`webgpu: ${(await timingRows()).join(' | ')}`);

    await clickSegment('device', 'wasm');
    await settled();
    expect(await provider()).toBe('wasm');
    expect((await timingRows()).every((row) => row.endsWith('wasm'))).toBe(true);
    timings.push(`wasm again: ${(await timingRows()).join(' | ')}`);
  });

  it('saves a screenshot and logged no console error or warning', async () => {
    await page.fill('#seed', '42');
    await page.fill('#temperature', '0.8');
    await settled();
    await page.click('#clear');
    await drawDigit();
    await settled();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`demo timings (ms):\n  ${timings.join('\n  ')}`);
    expect(problems).toEqual([]);
  });
});
