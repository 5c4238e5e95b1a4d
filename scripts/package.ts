/**
 * `npm run package`: builds the npm package of vaekit — build/package/ (what is published:
 * `npm publish build/package`) and build/vaekit-<version>.tgz — and prints its size and contents.
 * The repository root itself is not the package (its manifest is the development one; `npm pack`
 * there is refused).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY, stagePackage } from './package/stage.js';

const build = join(REPOSITORY, 'build');
const folder = join(build, 'package');
mkdirSync(build, { recursive: true });
const files = stagePackage(folder);
const [packed] = JSON.parse(
  execFileSync('npm', ['pack', folder, '--pack-destination', build, '--json', '--silent'], { cwd: build, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
) as { filename: string; size: number; unpackedSize: number; entryCount: number }[];
if (!packed) throw new Error('npm pack reported no package');

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const byArea = new Map<string, number>();
for (const { file, bytes } of files) {
  const area = file.startsWith('models/') ? 'example model' : file.endsWith('.d.ts') ? 'types (.d.ts)' : /\.c?js$/.test(file) ? 'JavaScript' : 'README, LICENSE, package.json';
  byArea.set(area, (byArea.get(area) ?? 0) + bytes);
}
console.log(JSON.stringify({ tarball: join('build', packed.filename), files: packed.entryCount, packedBytes: packed.size, unpackedBytes: packed.unpackedSize, byArea: Object.fromEntries(byArea) }));
console.log(`\n${join('build', packed.filename)}: ${packed.entryCount} files, ${mb(packed.size)} packed, ${mb(packed.unpackedSize)} unpacked`);
for (const [area, bytes] of byArea) console.log(`  ${area.padEnd(30)} ${mb(bytes)}`);
console.log(`publish with: npm publish build/package`);
