/**
 * vaekit in apps built by the bundlers people use, each with no vaekit-specific config: a Vite app
 * (production build and dev server), a webpack 5 app, an esbuild app (plus the one copy of
 * onnxruntime-web's .wasm that esbuild needs, README "Use it in an app"), a plain page with an
 * import map (no bundler) and a Vite app on the wasm-only entry `vaekit/wasm`. Each fixture (test/bundlers/<name>/) is built by the real bundler
 * in a throwaway folder holding the package as npm installs it (app.ts), served on 127.0.0.1 and
 * opened in headless Chromium: the page loads the model from its own server, samples, draws to a
 * canvas; the test wants ink on the canvas, the provider asked for (strict: no fallback) and no
 * console error or warning, failed request or HTTP error.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer } from '../../scripts/static-server.js';
import { launchChromium } from '../browser/chromium.js';
import { makeApp, ROOT } from './app.js';
import { runPage } from './page.js';

type Device = 'wasm' | 'webgpu';

let browser: Browser;
const apps: string[] = [];
const report: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const app of apps) rmSync(app, { recursive: true, force: true });
  console.log(report.join('\n'));
});

/** Runs a bundler's command line in the app folder; throws with its output when it fails. */
function run(app: string, command: string, args: string[]): void {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: app, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  report.push(`${app}: ${args.slice(0, 2).join(' ')} ${Math.round(performance.now() - started)} ms`);
}

/** Sizes of the .js and .wasm files a build wrote, in bytes. */
function shipped(folder: string): { js: number; wasm: number } {
  const sizes = { js: 0, wasm: 0 };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.m?js$/.test(entry.name)) sizes.js += statSync(path).size;
      else if (entry.name.endsWith('.wasm')) sizes.wasm += statSync(path).size;
    }
  };
  walk(folder);
  return sizes;
}

/** Opens the app on each device and checks the drawing; returns the bytes downloaded per device. */
async function expectDrawn(name: string, base: string, devices: readonly Device[]): Promise<void> {
  for (const device of devices) {
    const page = await runPage(browser, `${base}?device=${device}`);
    report.push(`${name} ${device}: ${page.state}, downloaded js ${page.bytes.js} B, wasm ${page.bytes.wasm} B`);
    expect(page.state, `${name}: ${page.problems.join('; ')}`).toBe(`drawn on ${device}`);
    expect(page.ink, `${name} ${device}: canvas ink`).toBeGreaterThan(0);
    expect(page.problems, `${name} ${device}`).toEqual([]);
  }
}

async function serveBuilt(name: string, folder: string, devices: readonly Device[]): Promise<void> {
  const sizes = shipped(folder);
  report.push(`${name}: ships js ${sizes.js} B, wasm ${sizes.wasm} B`);
  const server = await startStaticServer(folder, { port: 0 });
  try {
    await expectDrawn(name, new URL("index.html", server.url).href, devices);
  } finally {
    await server.close();
  }
}

const BOTH = ['wasm', 'webgpu'] as const;
const VITE = join(ROOT, 'node_modules/vite/bin/vite.js');

describe('vaekit in bundled apps (no vaekit config)', () => {
  it('Vite: `vite build` draws on wasm and webgpu', async () => {
    const app = makeApp('vite', 'public');
    apps.push(app);
    run(app, process.execPath, [VITE, 'build', '--logLevel', 'warn']);
    await serveBuilt('vite build', join(app, 'dist'), BOTH);
  });

  it('Vite: the dev server draws on wasm and webgpu', async () => {
    const app = makeApp('vite', 'public');
    apps.push(app);
    const server: ViteDevServer = await createServer({ root: app, configFile: false, logLevel: 'error', server: { host: '127.0.0.1', port: 0 } });
    await server.listen();
    try {
      await expectDrawn('vite dev', server.resolvedUrls!.local[0]!, BOTH);
    } finally {
      await server.close();
    }
  });

  it('webpack 5: `webpack --mode production --no-optimization-minimize --entry ./main.js --output-path public` draws on wasm and webgpu', async () => {
    const app = makeApp('webpack', 'public');
    apps.push(app);
    run(app, process.execPath, [join(ROOT, 'node_modules/webpack-cli/bin/cli.js'), '--mode', 'production', '--no-optimization-minimize', '--entry', './main.js', '--output-path', './public']);
    await serveBuilt('webpack', join(app, 'public'), BOTH);
  });

  it("esbuild: `esbuild main.ts --bundle --format=esm` plus the .wasm beside the bundle draws on wasm and webgpu", async () => {
    const app = makeApp('esbuild', 'public');
    apps.push(app);
    run(app, join(ROOT, 'node_modules/esbuild/bin/esbuild'), ['main.ts', '--bundle', '--format=esm', '--outfile=public/main.js', '--log-level=warning']);
    // The README's one step for esbuild, which leaves `new URL(file, import.meta.url)` as it is.
    copyFileSync(join(app, 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.wasm'), join(app, 'public/ort-wasm-simd-threaded.jsep.wasm'));
    await serveBuilt('esbuild', join(app, 'public'), BOTH);
  });

  it('no bundler: a plain page with an import map draws on wasm and webgpu, with the example model the package ships', async () => {
    const app = makeApp('importmap', 'public');
    apps.push(app);
    const server = await startStaticServer(app, { port: 0 });
    try {
      await expectDrawn('import map', new URL('index.html', server.url).href, BOTH);
    } finally {
      await server.close();
    }
  });

  it("Vite on `vaekit/wasm`: `vite build` ships the wasm-only .wasm and draws on wasm with device auto", async () => {
    const app = makeApp('vite-wasm', 'public');
    apps.push(app);
    run(app, process.execPath, [VITE, 'build', '--logLevel', 'warn']);
    const assets = readdirSync(join(app, 'dist/assets'));
    const wasm = assets.filter((f) => f.endsWith('.wasm'));
    expect(wasm.length === 1 && wasm[0]!.startsWith('ort-wasm-simd-threaded-'), wasm.join()).toBe(true);
    await serveBuilt('vite build vaekit/wasm', join(app, 'dist'), ['wasm']);
  });
});
