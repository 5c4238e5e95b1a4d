import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// docs/architecture.md: export/, src/train and src/cli may import the isomorphic core; the core never
// imports them, nor any node: module, so it runs in browsers.
const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const EXPORT = fileURLToPath(new URL('../../export', import.meta.url));
const NODE_ONLY = ['train', 'cli', 'queue'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specifiers.map((m) => m[1] ?? m[2]!);
}

// The Node adapters, the Node entry and what only it imports may use node: modules; nothing else in the core.
const NODE_FILES = ['runtime/ort-node.ts', 'runtime/read-file-node.ts', 'runtime/ort-web-node.ts', 'runtime/node-runtime.ts', 'optional-peers.ts', 'example-model.ts', 'node.ts'];
// vaekit score's data readers and output file (node only: files, and the trainer's data loaders); score-chunk.ts stays isomorphic.
NODE_FILES.push('score/read-chunks.ts', 'score/row-readers.ts', 'score/csv-rows.ts', 'score/score-output.ts');
const coreFiles = sourceFiles(SRC).filter(
  (file) => !NODE_ONLY.includes(relative(SRC, file).split('/')[0]!) && !NODE_FILES.includes(relative(SRC, file)),
);

describe('dependency direction', () => {
  it('finds the core files', () => {
    expect(coreFiles.map((f) => relative(SRC, f))).toContain('sampler/index.ts');
  });

  it.each(coreFiles.map((f) => [relative(SRC, f), f]))('core file %s imports no node-only code', (_name, file) => {
    for (const specifier of importsOf(file)) {
      expect(specifier, `${file} imports ${specifier}`).not.toMatch(/^node:|^(fs|path|os|child_process)$/);
      expect(specifier, `${file} imports ${specifier}`).not.toMatch(/(^|\/)(train|cli|export)(\/|$)/);
      expect(specifier, `${file} imports ${specifier}`).not.toMatch(/^@tensorflow\//);
    }
  });

  it.each(sourceFiles(EXPORT).map((f) => [relative(EXPORT, f), f]))('exporter file %s imports no node: module and no trainer or CLI code', (_name, file) => {
    for (const specifier of importsOf(file)) {
      expect(specifier, `${file} imports ${specifier}`).not.toMatch(/^node:|^(fs|path|os|child_process)$/);
      expect(specifier, `${file} imports ${specifier}`).not.toMatch(/src\/(train|cli)\//);
      expect(specifier, `${file} imports ${specifier}`).not.toMatch(/onnxruntime/);
    }
  });

  it('lets only the runtime adapters import onnxruntime', () => {
    const importers = [...sourceFiles(SRC), ...sourceFiles(EXPORT)]
      .filter((file) => importsOf(file).some((s) => s.startsWith('onnxruntime')))
      .map((file) => relative(SRC, file));
    expect(importers.sort()).toEqual(['runtime/ort-node.ts', 'runtime/ort-web-adapter.ts', 'runtime/ort-web-backend.ts', 'runtime/ort-web-node.ts', 'runtime/ort-web-wasm.ts', 'runtime/ort-web.ts']);
  });
});
