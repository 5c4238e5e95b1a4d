/**
 * Runners 5–7 — headless Chromium (playwright-core): one page per runner in one browser. The page
 * (dist/parity.html → dist/parity-runner.js, built by bundle.ts) loads models/mnist-mlp from the
 * static server by URL with onnxruntime-web and runs the shared conformance computation.
 */
import type { Browser } from 'playwright-core';
import type { ConformanceInput, ConformanceResult } from '../conformance.js';
import type { ModelKindInput, ModelKindQuantities } from '../model-kind-quantities.js';
import type { PageOptions } from '../page-entry.js';
import { PAGE } from '../bundle.js';

export async function runPage(browser: Browser, serverUrl: string, options: PageOptions, input: ConformanceInput): Promise<ConformanceResult> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const log: string[] = [];
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  try {
    await page.goto(new URL(PAGE, serverUrl).href);
    await page.waitForFunction(() => typeof (globalThis as { vaekitParity?: unknown }).vaekitParity === 'function', undefined, { timeout: 20_000 });
    const result = await page.evaluate(
      ([o, i]) => (globalThis as unknown as { vaekitParity(o: unknown, i: unknown): Promise<ConformanceResult> }).vaekitParity(o, i),
      [options, input] as const,
    );
    return { ...result, info: { ...result.info, console: log.filter((l) => !l.startsWith('debug')).slice(-20) } };
  } catch (e) {
    throw new Error(`${(e as Error).message.split('\n')[0]}\npage console:\n${log.slice(-20).join('\n')}`);
  } finally {
    await context.close();
  }
}

/** model-kinds.test.ts's computation for the fixture at `modelPath` in a fresh page of `page` (a bundled parity page). */
export async function runModelKindPage(
  browser: Browser,
  pageUrl: string,
  modelPath: string,
  options: PageOptions,
  input: ModelKindInput,
): Promise<ModelKindQuantities & { provider: string; warnings: string[]; ms: number }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const log: string[] = [];
  page.on('console', (m) => log.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  try {
    await page.goto(pageUrl);
    await page.waitForFunction(() => typeof (globalThis as { vaekitModelKind?: unknown }).vaekitModelKind === 'function', undefined, { timeout: 20_000 });
    return await page.evaluate(
      ([m, o, i]) =>
        (globalThis as unknown as { vaekitModelKind(m: string, o: unknown, i: unknown): Promise<ModelKindQuantities & { provider: string; warnings: string[]; ms: number }> })
          .vaekitModelKind(m, o, i),
      [modelPath, options, input] as const,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message.split('\n')[0]}\npage console:\n${log.slice(-20).join('\n')}`);
  } finally {
    await context.close();
  }
}
