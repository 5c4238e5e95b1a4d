/**
 * The calibration a trained model is exported with: its anomaly scores on the run's held-out test
 * split, measured by the SDK on the exported graphs themselves (fp16 weights included), with the
 * ε streams of `vae.anomaly`, so a test row scores exactly as it did here.
 */
import type { ExportedVae } from '../../../export/export-vae.js';
import type { ManifestCalibration } from '../../manifest/schema.js';
import type { RuntimeBackend } from '../../runtime/backend.js';
import { DEFAULT_SEED } from '../../sampler/index.js';
import { measureCalibration } from '../../vae/anomaly-calibration.js';
import { Vae } from '../../vae/vae.js';
import { type Dataset } from '../data/dataset.js';

/**
 * Calibrates the exported model on `dataset.test` with k importance samples (the run's IWAE k),
 * seed 0 (vae.anomaly's default). Returns null when k is 0 (the run skipped its NLL).
 */
export async function exportCalibration(exported: ExportedVae, dataset: Dataset, k: number, runtime: RuntimeBackend, log: (line: string) => void): Promise<ManifestCalibration | null> {
  if (k === 0) {
    log('no calibration: the run has --iwae-samples 0 (add one with `vaekit calibrate MODEL --data …`)');
    return null;
  }
  const vae = await Vae.load({ manifest: exported.manifest, encoder: exported.graphs.encoder, decoder: exported.graphs.decoder }, { runtime, device: 'cpu' });
  try {
    const n = dataset.test.count;
    const start = performance.now();
    log(`calibration: anomaly scores of the ${n} test rows (IWAE k = ${k})…`);
    const calibration = await measureCalibration(vae, dataset.test.x.subarray(0, n * vae.inputShape.reduce((a, b) => a * b, 1)), n, {
      data: `${dataset.name} test split (${n} rows)`, k, seed: DEFAULT_SEED, labels: dataset.test.labels ?? null,
    });
    const median = calibration.quantiles.nll[calibration.quantiles.p.indexOf(0.5)]!;
    const p99 = calibration.quantiles.nll[calibration.quantiles.p.indexOf(0.99)]!;
    log(`calibration: IWAE NLL median ${median.toFixed(2)}, 99th percentile ${p99.toFixed(2)} nats (${((performance.now() - start) / 1000).toFixed(1)} s)`);
    return calibration;
  } finally {
    await vae.dispose();
  }
}
