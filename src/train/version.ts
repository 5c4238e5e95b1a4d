import { createRequire } from 'node:module';

// package.json sits two levels above both src/train/ (tsx, vitest) and dist/chunks/ (the build).
const require = createRequire(import.meta.url);

function findVersion(): string {
  for (const path of ['../../package.json', '../package.json']) {
    try {
      const pkg = require(path) as { name?: string; version?: string };
      if (pkg.name === 'vaekit' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

/** vaekit's version, recorded as the producer of exported graphs. */
export const VAEKIT_VERSION = findVersion();
