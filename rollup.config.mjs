import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import typescript from '@rollup/plugin-typescript';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const dependencies = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
];
// Dependencies and Node builtins stay imports: the wasm backend finds its .wasm files next to itself.
const external = (id) =>
  id.startsWith('node:') ||
  builtinModules.includes(id) ||
  dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));

export default {
  input: { index: 'src/index.ts', cli: 'src/cli/main.ts', train: 'src/train/index.ts', export: 'export/index.ts' },
  output: { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
  external,
  plugins: [typescript({ tsconfig: './tsconfig.build.json' })],
  onwarn(warning) {
    throw new Error(`rollup: ${warning.message}`);
  },
};
