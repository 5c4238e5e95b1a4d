/**
 * The built Node entry (dist/, `npm test` builds first) in an app whose node_modules has no
 * onnxruntime-node: a folder of symlinks to this repository's node_modules, all but
 * onnxruntime-node, and `vaekit` pointing at dist/. Node runs with --preserve-symlinks, so packages
 * resolve from the app's folder, as they would after `npm i vaekit` without the optional peer.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_DIR } from './fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NOTICE =
  "vaekit: onnxruntime-node is not installed, so models run on onnxruntime-web's wasm build (CPU, slower than native); " +
  'for native speed and the cuda/webgpu devices: npm i onnxruntime-node@1.30.0';

let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'vaekit-no-ort-node-'));
  const modules = join(app, 'node_modules');
  mkdirSync(join(modules, 'vaekit'), { recursive: true });
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name !== 'onnxruntime-node') symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  }
  cpSync(join(ROOT, 'package.json'), join(modules, 'vaekit', 'package.json'));
  symlinkSync(join(ROOT, 'dist'), join(modules, 'vaekit', 'dist'));
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true }\n');
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

function run(cwd: string, source: string, type: 'module' | 'commonjs', flags: string[] = []) {
  const result = spawnSync(process.execPath, [...flags, `--input-type=${type}`, '-e', source], { cwd, encoding: 'utf8', timeout: 20_000 });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  const said = `exit ${result.status}, signal ${result.signal}:\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`;
  let out: Record<string, unknown> = {};
  try {
    out = JSON.parse(line);
  } catch {
    throw new Error(`the child printed no result (${said})`);
  }
  if (result.status === null && result.signal === 'SIGTERM') {
    // It printed its result, then did not exit. Seen here 3 times in about 50 runs of onnxruntime-web on
    // Node 20: the main thread waits in NodePlatform::DrainTasks for a V8 worker (wasm compilation)
    // that waits for a main-thread GC — Node's own exit deadlock, nodejs/node#54918 (gdb backtraces
    // match). Not vaekit's to fix; the result stands.
    console.warn(`a child hung at exit and was stopped after 20 s (nodejs/node#54918): ${source.slice(0, 60)}…`);
  } else if (result.status !== 0) {
    throw new Error(`the child failed (${said})`);
  }
  return { out, stderr: result.stderr };
}

const SMOKE = `
  const model = ${JSON.stringify(MODEL_DIR)};
  const a = await Vae.load(model);
  const { mean } = await a.sample(2, { seed: 3 });
  const b = await Vae.load(model, { device: 'cpu' });
  const missing = await Vae.load(model, { runtime: ortNodeBackend }).then(() => null, (e) => ({ code: e.code, message: e.message }));
  console.log(JSON.stringify({ provider: a.provider, cpu: b.provider, first: mean.data[300], missing, web: typeof ortWebNodeBackend.createSession }));
  await Promise.all([a.dispose(), b.dispose()]);
`;
const MISSING = {
  code: 'missing-dependency',
  message: 'onnxruntime-node is not installed (ortNodeBackend runs models with it); install it with:\n  npm i onnxruntime-node@1.30.0',
};

describe('the Node build without onnxruntime-node', () => {
  it('`import "vaekit"` runs on onnxruntime-web wasm and says so once on stderr', () => {
    const { out, stderr } = run(app, `import { Vae, ortNodeBackend, ortWebNodeBackend } from 'vaekit';\n${SMOKE}`, 'module', ['--preserve-symlinks']);
    expect(out).toMatchObject({ provider: { encoder: 'wasm', decoder: 'wasm' }, cpu: { encoder: 'wasm', decoder: 'wasm' }, missing: MISSING, web: 'function' });
    expect(stderr).toBe(`${NOTICE}\n`);
  });

  it('`require("vaekit")` does the same, with the same numbers, close to onnxruntime-node', () => {
    const source = `const { Vae, ortNodeBackend, ortWebNodeBackend } = require('vaekit');\n(async () => {${SMOKE}})();`;
    const cjs = run(app, source, 'commonjs', ['--preserve-symlinks']);
    const esm = run(app, `import { Vae, ortNodeBackend, ortWebNodeBackend } from 'vaekit';\n${SMOKE}`, 'module', ['--preserve-symlinks']);
    expect(cjs.out).toEqual(esm.out);
    expect(cjs.stderr).toBe(`${NOTICE}\n`);
    // With onnxruntime-node (this repository), the same call runs on cpu.
    const native = run(ROOT, `const { Vae } = require('vaekit');\n(async () => {
      const vae = await Vae.load(${JSON.stringify(MODEL_DIR)});
      const { mean } = await vae.sample(2, { seed: 3 });
      console.log(JSON.stringify({ provider: vae.provider, first: mean.data[300] }));
      await vae.dispose();
    })();`, 'commonjs');
    expect(native.stderr).toBe('');
    expect(native.out.provider).toEqual({ encoder: 'cpu', decoder: 'cpu' });
    expect(Math.abs((native.out.first as number) - (cjs.out.first as number))).toBeLessThan(1e-5);
  });
});

describe('the Node build with onnxruntime-node', () => {
  it('never loads onnxruntime-web, and loads onnxruntime-node only when a model is loaded', () => {
    // A resolve hook (module.register) that prints every onnxruntime package module Node resolves.
    const loader = join(app, 'trace-loader.mjs');
    writeFileSync(
      loader,
      `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const m = /node_modules\\/(onnxruntime-[\\w-]+)\\//.exec(result.url);
  if (m) process.stderr.write('resolved ' + m[1] + '\\n');
  return result;
}\n`,
    );
    const hooks = join(app, 'trace.mjs');
    writeFileSync(hooks, `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${loader}`)});\n`);
    const imported = run(ROOT, `import { Vae } from 'vaekit';\nconsole.log(JSON.stringify({ ok: typeof Vae }));`, 'module', ['--import', hooks]);
    expect(imported.stderr).toBe('');
    const loaded = run(
      ROOT,
      `import { Vae } from 'vaekit';\nconst vae = await Vae.load(${JSON.stringify(MODEL_DIR)});\nconsole.log(JSON.stringify({ provider: vae.provider }));\nawait vae.dispose();`,
      'module',
      ['--import', hooks],
    );
    expect(loaded.out.provider).toEqual({ encoder: 'cpu', decoder: 'cpu' });
    expect([...new Set(loaded.stderr.trim().split('\n'))]).toEqual(['resolved onnxruntime-node']);
  });
});
