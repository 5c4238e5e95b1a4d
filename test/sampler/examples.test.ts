import { readFileSync, readdirSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as sampler from '../../src/sampler/index.js';

/**
 * Runs every @example of src/sampler as written: imports from 'vaekit' are bound to the sampler's
 * exports, TypeScript is stripped with the compiler, `fetch` serves the golden-vector file, and a
 * line `expr; // 42` (a bare number, string or boolean after the comment mark) asserts that expr is 42.
 */
const dir = new URL('../../src/sampler/', import.meta.url);
const examples = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .flatMap((file) =>
    [...readFileSync(new URL(file, dir), 'utf8').matchAll(/@example\s*\n((?:\s*\*.*\n)*?)\s*\*\/|@example\s*\n((?:\s*\*.*\n)+?)\s*\*\s*@/g)].map(
      (m, i) => {
        const body = (m[1] ?? m[2] ?? '')
          .split('\n')
          .map((line) => line.replace(/^\s*\* ?/, ''))
          .join('\n');
        const code = /```ts\n([\s\S]*?)```/.exec(body)?.[1] ?? '';
        return { name: `${file} #${i + 1}`, code };
      },
    ),
  );

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...args: unknown[]) => Promise<unknown>;

const goldenJson = readFileSync(new URL('./golden-vectors.json', import.meta.url), 'utf8');
const fakeFetch = async (): Promise<{ json: () => Promise<unknown> }> => ({ json: async () => JSON.parse(goldenJson) });

describe('@example blocks of src/sampler', () => {
  it('exist for every public function', () => {
    const documented = examples.map((e) => e.code).join('\n');
    for (const name of Object.keys(sampler)) expect(documented, name).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it('turn stated results into assertions', () => {
    expect(examples.filter((e) => /;\s*\/\/\s*(-?[\d.]+|")/.test(e.code)).length).toBeGreaterThanOrEqual(3);
  });

  it.each(examples)('$name runs', async ({ code }) => {
    expect(code).toMatch(/from 'vaekit'/);
    // `expr; // 42` or `expr; // "text"` states a result: check it.
    const checked = code.replace(/^(\s*)([^/\n][^\n]*?);\s*\/\/\s*(-?[\d.]+(?:e-?\d+)?|"[^"\n]*"|true|false)\s*$/gm, '$1__expectEqual($2, $3);');
    const js = ts.transpileModule(checked, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
    }).outputText;
    const body = js.replace(/import\s*\{([^}]*)\}\s*from\s*'vaekit';?/g, 'const {$1} = __vaekit;');
    const expectEqual = (actual: unknown, expected: unknown): void => void expect(actual).toBe(expected);
    await new AsyncFunction('__vaekit', 'fetch', '__expectEqual', body)(sampler, fakeFetch, expectEqual);
  });
});
