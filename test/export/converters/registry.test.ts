import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as vaekitExport from '../../../export/index.js';
import { getLayerConverter, registerLayerConverter, supportedLayerClasses, type LayerConverter } from '../../../export/converters/index.js';
import { docExamples, runDocExample } from '../../helpers/doc-examples.js';
import { thrown } from '../../helpers/thrown.js';
import { expectMatchesTfjs, modelOf, useWasm } from './harness.js';

beforeAll(useWasm);

const identity: LayerConverter = (c) => c.inputs[0]!;

describe('registerLayerConverter', () => {
  it('refuses a second converter for a built-in class (Dense) and keeps the built-in one working', async () => {
    const builtIn = getLayerConverter('Dense');
    const e = thrown(() => registerLayerConverter('Dense', identity));
    expect(e.code).toBe('invalid-argument');
    expect(e.message).toBe(
      "'className' 'Dense' already has a built-in converter; pass { override: true } to replace it, or register your layer under its own class name",
    );
    expect(getLayerConverter('Dense')).toBe(builtIn);
    // The refused call changed nothing: Dense still exports and matches tfjs.
    await expectMatchesTfjs(modelOf([12], (x) => tfl.layers.dense({ units: 5, activation: 'tanh', name: 'd' }).apply(x) as tfl.SymbolicTensor));
  });

  it('refuses replacing a converter registered earlier; the same one again is accepted; override replaces', () => {
    const first: LayerConverter = (c) => c.inputs[0]!;
    const second: LayerConverter = (c) => c.inputs[0]!;
    registerLayerConverter('RegistryTestLayer', first);
    registerLayerConverter('RegistryTestLayer', first);
    expect(getLayerConverter('RegistryTestLayer')).toBe(first);
    const e = thrown(() => registerLayerConverter('RegistryTestLayer', second));
    expect(e.message).toMatch(/^'className' 'RegistryTestLayer' already has a converter registered earlier; pass \{ override: true \}/);
    expect(getLayerConverter('RegistryTestLayer')).toBe(first);
    registerLayerConverter('RegistryTestLayer', second, { override: true });
    expect(getLayerConverter('RegistryTestLayer')).toBe(second);
    expect(supportedLayerClasses().filter((c) => c === 'RegistryTestLayer')).toHaveLength(1);
  });

  it('checks its arguments, InputLayer included', () => {
    const cases: [() => void, RegExp][] = [
      [() => registerLayerConverter('', identity), /^'className' must be a non-empty layer class name .*found ""/],
      [() => registerLayerConverter(3 as never, identity), /^'className' must be .*found 3/],
      [() => registerLayerConverter('X1', 'f' as never), /^'converter' for 'X1' must be a function .*found "f"/],
      [() => registerLayerConverter('X2', identity, { override: 1 } as never), /^'override' must be a boolean; found 1/],
      [() => registerLayerConverter('X3', identity, null as never), /^'options' must be an object .*found null/],
      [() => registerLayerConverter('InputLayer', identity, { override: true }), /^'className' 'InputLayer' cannot have a converter/],
    ];
    for (const [call, message] of cases) {
      const e = thrown(call);
      expect(e.code).toBe('invalid-argument');
      expect(e.message).toMatch(message);
    }
    expect(['X1', 'X2', 'X3'].map(getLayerConverter)).toEqual([undefined, undefined, undefined]);
  });

  it('runs its @example as written', async () => {
    const examples = docExamples(new URL('../../../export/converters/index.ts', import.meta.url));
    const example = examples.find((code) => code.includes('registerLayerConverter('));
    await runDocExample(example!, { 'vaekit/export': vaekitExport });
    expect(supportedLayerClasses()).toContain('Scale');
  });
});
