import { join } from 'node:path';
import type { TrainConfig } from '../config.js';
import type { Dataset } from '../data/dataset.js';
import type { SplitEvaluation } from '../objective/evaluate.js';
import type { LatentMatch } from '../objective/latent-match.js';
import { writeLatentHistograms } from '../report/index.js';
import { describeRun } from './run-pictures.js';

export const LATENT_PICTURE = 'latent-match.png';

/** Writes `latent-match.png`: each latent dimension's encoded test z against N(0, 1), titled with the MMD². */
export async function writeLatentPicture(
  runDir: string,
  run: { config: TrainConfig; dataset: Dataset; test: SplitEvaluation; match: LatentMatch; epoch: number },
): Promise<void> {
  const { config, dataset } = run;
  await writeLatentHistograms(join(runDir, LATENT_PICTURE), run.test.latents, dataset.test.count, config.architecture.latentDim, run.match, {
    subtitle: `${describeRun(config, dataset)} · epoch ${run.epoch}`,
  });
}
