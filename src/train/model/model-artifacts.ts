import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { VaekitError } from '../../errors.js';
import { writeFileAtomic } from '../run/atomic-write.js';

function joinWeightData(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}

/**
 * Saves a LayersModel in the standard TensorFlow.js layout (`<name>.json` with topology and
 * weights manifest, `<name>.weights.bin`), loadable by `tf.loadLayersModel` anywhere.
 */
export async function saveLayersModel(model: tfl.LayersModel, folder: string, name: string): Promise<string[]> {
  const files: string[] = [];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightsFile = `${name}.weights.bin`;
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFileAtomic(join(folder, weightsFile), new Uint8Array(joinWeightData(artifacts.weightData)));
      await writeFileAtomic(join(folder, `${name}.json`), JSON.stringify(json));
      files.push(`${name}.json`, weightsFile);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return files;
}

/** Loads a model written by `saveLayersModel`. */
export async function loadLayersModelFile(folder: string, name: string): Promise<tfl.LayersModel> {
  const jsonPath = join(folder, `${name}.json`);
  let json: { modelTopology: object; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }> };
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (cause) {
    throw new VaekitError('checkpoint-missing', `cannot read the model file ${jsonPath}: ${(cause as Error).message}`, { cause });
  }
  const group = json.weightsManifest[0]!;
  const bin = await readFile(join(folder, group.paths[0]!));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData }));
}
