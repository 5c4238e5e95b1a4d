/**
 * Opens a fixture app's page in headless Chromium and reads what it drew: the state line the page
 * writes on <body data-state>, the ink of its canvas, the bytes of JS and wasm it downloaded, and
 * every console error or warning, page error, failed request and HTTP error on the way.
 */
import type { Browser } from 'playwright-core';

export interface PageRun {
  state: string;
  /** Sum of the canvas's red channel: 0 when nothing was drawn. */
  ink: number;
  problems: string[];
  /** Bytes of JavaScript and WebAssembly the page downloaded. */
  bytes: { js: number; wasm: number };
}

export async function runPage(browser: Browser, url: string): Promise<PageRun> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const bytes = { js: 0, wasm: 0 };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // A request the page itself stopped after a 2xx response (net::ERR_ABORTED, e.g. a body it
  // cancelled) is the page's choice; any other failure is a problem.
  page.on('requestfailed', async (r) => {
    const response = await r.response().catch(() => null);
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && response?.ok()) return;
    problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('response', async (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    const path = new URL(r.url()).pathname;
    const kind = path.endsWith('.wasm') ? 'wasm' : /\.(m?js|ts)$/.test(path) ? 'js' : undefined;
    if (kind) bytes[kind] += Number(r.headers()['content-length'] ?? (await r.body().catch(() => Buffer.alloc(0))).length);
  });
  try {
    await page.goto(url);
    const state = await page
      .waitForFunction(() => document.body.dataset['state'] !== undefined, undefined, { timeout: 30_000 })
      .then(() => page.evaluate(() => document.body.dataset['state']!))
      .catch((e: Error) => `no state after 30 s (${e.message.split('\n')[0]})`);
    const ink = await page.evaluate(() => {
      const canvas = document.getElementById('samples') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) sum += data[i]!;
      return sum;
    });
    return { state, ink, problems, bytes };
  } finally {
    await page.close();
  }
}
