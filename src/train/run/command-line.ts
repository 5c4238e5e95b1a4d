import { DEFAULTS, type TrainConfig } from '../config.js';

/** The `vaekit train` command that reproduces `config` (flags that differ from the defaults). */
export function trainCommandLine(config: TrainConfig, out?: string): string {
  const flags: string[] = [`--data ${config.data}`];
  const d = config.dataOptions ?? {};
  const dataFlags: Array<[string, unknown]> = [
    ['--train-images', d.trainImages], ['--train-labels', d.trainLabels], ['--test-images', d.testImages],
    ['--test-labels', d.testLabels], ['--data-dir', d.dir], ['--csv', d.file], ['--columns', d.columns?.join(',')],
    ['--label', d.label], ['--scaling', d.scaling && d.scaling !== 'min-max' ? d.scaling : undefined], ['--test-fraction', d.testFraction],
  ];
  for (const [flag, value] of dataFlags) if (value !== undefined) flags.push(`${flag} ${value}`);
  flags.push(`--epochs ${config.epochs}`, `--seed ${config.seed}`);
  const add = (flag: string, value: unknown, fallback: unknown) => {
    if (JSON.stringify(value) !== JSON.stringify(fallback)) flags.push(`${flag} ${Array.isArray(value) ? value.join(',') : value}`);
  };
  add('--batch-size', config.batchSize, DEFAULTS.batchSize);
  add('--lr', config.learningRate, DEFAULTS.learningRate);
  if (config.condition) flags.push(`--condition ${config.condition}`);
  const a = config.architecture;
  if (a.arch === 'conv') {
    flags.push('--arch conv');
    add('--channels', a.channels, DEFAULTS.channels);
    add('--stride', a.stride, DEFAULTS.stride);
  }
  add('--hidden', a.hidden, a.arch === 'conv' ? DEFAULTS.convHidden : DEFAULTS.hidden);
  add('--latent-dim', config.architecture.latentDim, DEFAULTS.latentDim);
  add('--likelihood', config.likelihood.kind, DEFAULTS.likelihood);
  if (config.likelihood.kind === 'gaussian') add('--sigma', config.likelihood.sigma, DEFAULTS.sigma);
  if (config.likelihood.kind === 'gaussian-learned') add('--logvar-floor', config.likelihood.logvarFloor, -6);
  add('--objective', config.objective ?? DEFAULTS.objective, DEFAULTS.objective);
  if (config.objective === 'aae') add('--adversarial-lr', config.adversarialLearningRate, DEFAULTS.adversarialLearningRate);
  add('--beta', config.beta, DEFAULTS.beta);
  add('--warmup', config.warmupSteps, DEFAULTS.warmupSteps);
  add('--free-bits', config.freeBits, DEFAULTS.freeBits);
  add('--mc-samples', config.mcSamples, DEFAULTS.mcSamples);
  add('--iwae-samples', config.iwaeSamples, DEFAULTS.iwaeSamples);
  if (config.maxTrain !== null) flags.push(`--max-train ${config.maxTrain}`);
  if (config.maxTest !== null) flags.push(`--max-test ${config.maxTest}`);
  if (out) flags.push(`--out ${out}`);
  return `vaekit train ${flags.join(' ')}`;
}
