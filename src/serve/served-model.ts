/** A model folder loaded for serving: its Vae (through the SDK: manifest and SHA-256 checks) and its two graph models. */
import { Vae } from '../node.js';
import type { BatcherOptions } from './dynamic-batcher.js';
import { graphModels, type GraphModel } from './graph-model.js';

export interface ServedModel {
  name: string;
  folder: string;
  vae: Vae;
  graphs: GraphModel[];
  /** vaekit endpoint calls running now (bounded by --max-queue). */
  calls: number;
}

/** Loads every folder (fixed at start: requests never name a file); names must be unique. */
export async function loadModels(folders: readonly string[], batching: (graph: string) => BatcherOptions, onWarning: (message: string) => void, threads = 0): Promise<ServedModel[]> {
  const models: ServedModel[] = [];
  try {
    for (const folder of folders) {
      const vae = await Vae.load(folder, { onWarning, threads });
      const name = vae.manifest.name;
      const clash = models.find((m) => m.name === name);
      if (clash) {
        await vae.dispose();
        throw new Error(`two model folders have the name '${name}' (${clash.folder} and ${folder}); serve models with different manifest names`);
      }
      models.push({ name, folder, vae, graphs: graphModels(name, vae, batching), calls: 0 });
    }
  } catch (error) {
    await Promise.all(models.map((m) => m.vae.dispose()));
    throw error;
  }
  return models;
}
