/**
 * Runners 5–7 — headless Chromium (playwright-core): one page per runner in one browser. The page
 * (dist/parity.html → dist/parity-runner.js, built by bundle.ts) loads models/mnist-mlp from the
 * static server by URL with onnxruntime-web and runs the shared conformance computation; for the
 * remote Chromium row (runners/remote.ts) it connects to a `vaekit serve --cors` instead.
 */
import type { Browser, Page } from 'playwright-core';
import type { ConformanceInput, ConformanceResult } from '../conformance.js';
import type { ModelKindInput, ModelKindOptions, ModelKindRun } from '../model-kind-quantities.js';
import type { PageOptions } from '../page-entry.js';
import { PAGE } from '../bundle.js';

/**
 * Opens `url` in a fresh context, waits for the page function `name`, and runs `work` with the
 * page; errors carry the page's last console lines. The context is closed either way.
 */
async function withPage<T>(browser: Browser, url: string, name: string, work: (page: Page, log: string[]) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const log: string[] = [];
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  try {
    await page.goto(url);
    await page.waitForFunction((fn) => typeof (globalThis as Record<string, unknown>)[fn] === 'function', name, { timeout: 20_000 });
    return await work(page, log);
  } catch (e) {
    throw new Error(`${(e as Error).message.split('\n')[0]}\npage console:\n${log.slice(-20).join('\n')}`);
  } finally {
    await context.close();
  }
}

export async function runPage(browser: Browser, serverUrl: string, options: PageOptions, input: ConformanceInput): Promise<ConformanceResult> {
  return withPage(browser, new URL(PAGE, serverUrl).href, 'vaekitParity', async (page, log) => {
    const result = await page.evaluate(
      ([o, i]) => (globalThis as unknown as { vaekitParity(o: unknown, i: unknown): Promise<ConformanceResult> }).vaekitParity(o, i),
      [options, input] as const,
    );
    return { ...result, info: { ...result.info, console: log.filter((l) => !l.startsWith('debug')).slice(-20) } };
  });
}

/** The remote row: the page at `pageUrl` runs the conformance computation on `Vae.connect(serverUrl)`. */
export async function runRemotePage(browser: Browser, pageUrl: string, serverUrl: string, input: ConformanceInput): Promise<ConformanceResult> {
  return withPage(browser, pageUrl, 'vaekitRemoteParity', async (page, log) => {
    const result = await page.evaluate(
      ([u, i]) => (globalThis as unknown as { vaekitRemoteParity(u: string, i: unknown): Promise<ConformanceResult> }).vaekitRemoteParity(u, i),
      [serverUrl, input] as const,
    );
    return { ...result, info: { ...result.info, console: log.filter((l) => !l.startsWith('debug')).slice(-20) } };
  });
}

/** model-kinds.test.ts's computation (imported-models.test.ts's with `quantities`) for the fixture at `modelPath`, in the bundled page at `pageUrl`. */
export async function runModelKindPage(
  browser: Browser,
  pageUrl: string,
  modelPath: string,
  options: PageOptions,
  input: ModelKindInput,
  quantities: ModelKindOptions = {},
): Promise<ModelKindRun> {
  return withPage(browser, pageUrl, 'vaekitModelKind', (page) =>
    page.evaluate(
      ([m, o, i, q]) => (globalThis as unknown as { vaekitModelKind(m: string, o: unknown, i: unknown, q: unknown): Promise<ModelKindRun> }).vaekitModelKind(m, o, i, q),
      [modelPath, options, input, quantities] as const,
    ),
  );
}
