import cliProgress from 'cli-progress';
import { describeArchitecture } from '../train/model/build.js';
import type { LatentMatch } from '../train/objective/latent-match.js';
import type { TrainEvent } from '../train/train-events.js';

const fmt = (x: number, digits = 2) => x.toFixed(digits);

function epochLine(e: Extract<TrainEvent, { type: 'epoch' }>['metrics'], epochs: number): string {
  return (
    `epoch ${String(e.epoch).padStart(String(epochs).length)}/${epochs}` +
    `  train −ELBO ${fmt(e.trainNegElbo)}` +
    `  test −ELBO ${fmt(e.testNegElbo)} (recon ${fmt(e.testRecon)} + KL ${fmt(e.testKl)})` +
    `  active units ${e.activeUnits}` +
    `  latent MMD² ${fmt(e.latentMmd, 4)}` +
    (e.discriminatorLoss === undefined ? '' : `  D ${fmt(e.discriminatorLoss, 3)} G ${fmt(e.generatorLoss ?? NaN, 3)}`) +
    `  ${Math.round(e.samplesPerSec)} samples/s  ${fmt(e.seconds, 1)} s`
  );
}

/** The encoded test latents against N(0, I): how far per-dimension means and stds stray, and the MMD². */
function latentMatchLine(m: LatentMatch): string {
  const range = (values: number[]) => `[${fmt(Math.min(...values))}, ${fmt(Math.max(...values))}]`;
  return `latent match to N(0, I) on the test split: MMD² ${fmt(m.mmd, 4)} (${m.mmdSamples} draws), per-dimension mean in ${range(m.mean)}, std in ${range(m.std)}`;
}

/**
 * Renders training progress: a live bar (batch, loss, speed, ETA) when `stream` is a TTY, plain
 * lines (one per epoch) otherwise so logs stay readable.
 */
export function createTrainProgress(stream: NodeJS.WriteStream = process.stdout): (event: TrainEvent) => void {
  const tty = Boolean(stream.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  let epochs = 0;
  let batchSize = 0;
  const log = (line: string) => {
    if (bar) bar.stop();
    bar = null;
    stream.write(line + '\n');
  };
  return (event) => {
    switch (event.type) {
      case 'start': {
        epochs = event.config.epochs;
        batchSize = event.config.batchSize;
        const a = event.config.architecture;
        const skipped = event.skippedBackends.length ? ` (passed over: ${event.skippedBackends.join('; ')})` : '';
        const threads = event.workers > 1 ? `${event.workers} threads (--workers ${event.workers}: each a share of every batch)` : '1 thread (--workers 1)';
        const engine = event.engine === 'dense' ? " · vaekit's dense VAE step" : '';
        log(`backend: ${event.backend}${skipped} · ${threads}${engine}`);
        log(
          `data: ${event.config.data} ${event.inputShape.join('×')}, ${event.trainCount} train / ${event.testCount} test · ` +
            `model: ${describeArchitecture(a, event.inputShape.reduce((p, q) => p * q, 1))}, ` +
            `${event.config.likelihood.kind}${event.config.objective === 'aae' ? ' · adversarial autoencoder' : ''} · batch ${event.config.batchSize}, ` +
            `Adam ${event.config.learningRate}, seed ${event.config.seed}`,
        );
        if (event.resumedFromEpoch > 0) log(`resuming after epoch ${event.resumedFromEpoch} of ${epochs}`);
        break;
      }
      case 'batch':
        if (!tty) break;
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              format: `epoch ${event.epoch}/${event.epochs} |{bar}| {value}/{total} batches | −ELBO {loss} | {speed} samples/s | ETA {eta_formatted}`,
              stream,
              hideCursor: true,
              clearOnComplete: true,
              etaBuffer: 20,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(event.batches, 0, { loss: '…', speed: '…' });
        }
        bar.update(event.batch, {
          loss: fmt(event.loss),
          speed: Math.round((event.batch * batchSize) / Math.max(event.elapsedSeconds, 1e-9)),
        });
        break;
      case 'epoch':
        log(epochLine(event.metrics, epochs));
        break;
      case 'phase':
        if (event.phase === 'iwae') {
          if (event.done === 0) log(`importance-sampled NLL on ${event.total} test examples…`);
          else if (tty) stream.write(`\r  ${event.done}/${event.total}`);
          if (tty && event.done === event.total) stream.write('\n');
        }
        break;
      case 'done': {
        const f = event.final;
        log(
          `final: test −ELBO ${fmt(f.testNegElbo)} nats (${fmt(f.testBitsPerDim, 4)} bits/dim)` +
            (f.testIwaeNll === null ? '' : `, IWAE-${f.iwaeSamples} NLL ${fmt(f.testIwaeNll)} nats`) +
            `, active units ${f.activeUnits}`,
        );
        log(latentMatchLine(f.latentMatch));
        break;
      }
    }
  };
}
