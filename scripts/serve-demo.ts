/**
 * `npm run demo`: builds the latent explorer (demo/ → dist/demo/, the last rollup config) when it
 * is missing or older than its sources, then serves dist/demo/ cross-origin isolated (COOP/COEP,
 * so onnxruntime-web can use wasm threads) on http://127.0.0.1:8080/ until Ctrl-C.
 *
 *   npm run demo                  # port 8080
 *   npm run demo -- --port 9000   # or PORT=9000 npm run demo
 *   npm run demo -- --build       # rebuild even when up to date
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { startStaticServer, type StaticServer } from './static-server.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEMO_DIST = join(ROOT, 'dist', 'demo');
const DEMO_ENTRY = 'demo/main.ts';
/** What the demo build reads: when any is newer than dist/demo/demo.js, it is rebuilt. */
const SOURCES = ['demo', 'src', 'models/mnist-mlp', 'rollup.config.mjs', 'package.json'];
const OUTPUTS = ['demo.js', 'index.html', 'style.css', 'ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.jsep.mjs', 'models/mnist-mlp/vaekit.json'];

function newestMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path)
    .filter((name) => !name.endsWith('.png'))
    .reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stats.mtimeMs);
}

/** True when dist/demo/ holds every output and none is older than the sources. */
export function demoIsUpToDate(): boolean {
  if (!OUTPUTS.every((file) => existsSync(join(DEMO_DIST, file)))) return false;
  const built = statSync(join(DEMO_DIST, 'demo.js')).mtimeMs;
  return SOURCES.every((source) => newestMtime(join(ROOT, source)) <= built);
}

/** Builds dist/demo/ with the demo's config from rollup.config.mjs (the other configs are skipped). */
export async function buildDemo(): Promise<void> {
  const cwd = process.cwd();
  process.chdir(ROOT); // the config's paths are relative to the repository root
  try {
    const { default: configs } = (await import(pathToFileURL(join(ROOT, 'rollup.config.mjs')).href)) as { default: RollupOptions[] };
    const config = configs.find((c) => c.input === DEMO_ENTRY);
    if (!config) throw new Error(`rollup.config.mjs has no config with input '${DEMO_ENTRY}'`);
    const bundle = await rollup(config);
    try {
      for (const output of [config.output ?? []].flat() as OutputOptions[]) await bundle.write(output);
    } finally {
      await bundle.close();
    }
  } finally {
    process.chdir(cwd);
  }
}

/** Builds when needed (or when `force`), then serves dist/demo/ cross-origin isolated. */
export async function serveDemo(options: { port?: number; force?: boolean; log?: (line: string) => void } = {}): Promise<StaticServer> {
  const log = options.log ?? (() => {});
  if (options.force || !demoIsUpToDate()) {
    log(`building the demo into ${relative(process.cwd(), DEMO_DIST) || '.'} …`);
    const t0 = performance.now();
    await buildDemo();
    log(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return startStaticServer(DEMO_DIST, { isolated: true, port: options.port ?? 8080 });
}

function parsePort(args: string[]): number {
  const i = args.indexOf('--port');
  const text = i >= 0 ? args[i + 1] : process.env['PORT'];
  if (text === undefined) return 8080;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer 0–65535; found ${JSON.stringify(text)}`);
  return port;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const server = await serveDemo({ port: parsePort(args), force: args.includes('--build'), log: (line) => console.log(line) });
  console.log(`vaekit latent explorer: ${server.url}  (cross-origin isolated; Ctrl-C stops it)`);
  const stop = () => {
    console.log('\nstopping…');
    void server.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
