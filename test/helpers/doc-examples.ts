import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { expect } from 'vitest';

/** The ```ts code of every @example in the source file at `url`, in order. */
export function docExamples(url: URL): string[] {
  const text = readFileSync(url, 'utf8');
  return [...text.matchAll(/@example\s*\n((?:\s*\*.*\n)*?)\s*\*\//g)].map((m) => {
    const body = m[1]!
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n');
    return /```ts\n([\s\S]*?)```/.exec(body)?.[1] ?? '';
  });
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
  ...args: string[]
) => (...args: unknown[]) => Promise<unknown>;

/**
 * Runs an example as written: its `import { … } from '<specifier>'` lines are bound to `modules`
 * (specifier → module namespace; an import of any other specifier fails), TypeScript is stripped
 * with the compiler, and a line `expr; // 42` (a number, "string", true or false after the
 * comment mark) asserts that expr is that value.
 */
export async function runDocExample(code: string, modules: Record<string, object>): Promise<void> {
  expect(code.length, 'an empty example').toBeGreaterThan(0);
  const checked = code.replace(/^(\s*)([^/\n][^\n]*?);\s*\/\/\s*(-?[\d.]+(?:e-?\d+)?|"[^"\n]*"|true|false)\s*$/gm, '$1__expectEqual($2, $3);');
  const js = ts.transpileModule(checked, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
  }).outputText;
  const body = js.replace(/import\s*\{([^}]*)\}\s*from\s*'([^']+)';?/g, (_all, names: string, specifier: string) => {
    if (!(specifier in modules)) throw new Error(`the example imports '${specifier}', which this test does not provide`);
    return `const {${names}} = __modules[${JSON.stringify(specifier)}];`;
  });
  expect(body, 'an import the binding did not replace').not.toMatch(/^\s*import\s/m);
  const expectEqual = (actual: unknown, expected: unknown): void => void expect(actual).toBe(expected);
  await new AsyncFunction('__modules', '__expectEqual', body)(modules, expectEqual);
}
