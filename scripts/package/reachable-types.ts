/**
 * The declaration files a user's TypeScript can reach: the `types` of the package's exports and
 * every .d.ts they import, transitively. tsc writes one .d.ts per source file (the CLI's and other
 * internals' included); only these ship.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const IMPORTS = /(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g;

/** Paths relative to `root` of the .d.ts files reachable from `entries` (also relative to `root`). */
export function reachableTypes(root: string, entries: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    if (!existsSync(file)) throw new Error(`${relative(root, file)} is imported by the package's types but was not built`);
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORTS)) {
      const target = resolve(dirname(file), match[1]!);
      visit(target.endsWith('.js') ? target.replace(/\.js$/, '.d.ts') : `${target}.d.ts`);
    }
  };
  for (const entry of entries) visit(join(root, entry));
  return new Set([...seen].map((file) => relative(root, file)));
}

/** Every `types` file named in an exports map. */
export function exportedTypes(exportsMap: unknown): string[] {
  if (typeof exportsMap === 'string') return exportsMap.endsWith('.d.ts') ? [exportsMap.replace(/^\.\//, '')] : [];
  if (exportsMap == null || typeof exportsMap !== 'object') return [];
  return [...new Set(Object.values(exportsMap).flatMap(exportedTypes))];
}
