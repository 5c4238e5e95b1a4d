import { join } from 'node:path';
import type { TrainConfig } from './config.js';
import { featureCount, type Dataset } from './data/dataset.js';
import type { SplitEvaluation } from './evaluate.js';
import type { LatentMatch } from './latent-match.js';
import { describeArchitecture } from './model/build.js';
import { writeLatentHistograms } from './report/index.js';

export const LATENT_PICTURE = 'latent-match.png';

/** Writes `latent-match.png`: each latent dimension's encoded test z against N(0, 1), titled with the MMD². */
export async function writeLatentPicture(
  runDir: string,
  run: { config: TrainConfig; dataset: Dataset; test: SplitEvaluation; match: LatentMatch; epoch: number },
): Promise<void> {
  const { config, dataset } = run;
  const model = describeArchitecture(config.architecture, featureCount(dataset));
  const objective = config.objective === 'aae' ? 'adversarial autoencoder' : 'VAE';
  await writeLatentHistograms(join(runDir, LATENT_PICTURE), run.test.latents, dataset.test.count, config.architecture.latentDim, run.match, {
    subtitle: `${config.data} · ${model} · ${config.likelihood.kind} · ${objective} · seed ${config.seed} · epoch ${run.epoch}`,
  });
}
