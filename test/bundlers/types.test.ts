/**
 * A browser app's TypeScript resolves 'vaekit' to the browser types through package.json exports:
 * tsc (moduleResolution "bundler", which sets no `browser` or `node` condition) on a fixture that
 * imports setWasmPaths from 'vaekit' and 'vaekit/wasm', in an app folder laid out as npm installs it.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeApp, ROOT } from './app.js';

const apps: string[] = [];
afterAll(() => {
  for (const app of apps) rmSync(app, { recursive: true, force: true });
});

describe('types for browser apps', () => {
  it("typechecks `import { setWasmPaths } from 'vaekit'` with moduleResolution bundler", () => {
    const app = makeApp('types', '.');
    apps.push(app);
    const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', app], { cwd: app, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
