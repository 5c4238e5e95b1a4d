import { Command, Option } from 'commander';
import { Vae } from '../node.js';
import { QUEUE_PEERS, assertPeers } from '../optional-peers.js';
import { NODE_DEVICES, type NodeDevice } from '../runtime/devices.js';
import { nonNegativeInteger, positiveInteger } from '../train/options/value-types.js';
import { parserFor } from './options.js';
import { withQueueOptions, type QueueFlags } from './queue-options.js';

// The same numbers as WORKER_DEFAULTS in src/queue/score-worker.ts (not imported: it loads bullmq).
const DEFAULTS = { concurrency: 1, lockDurationMs: 10_000, stalledIntervalMs: 5_000, maxStalledCount: 2 };

interface WorkerFlags extends QueueFlags {
  queue: string;
  concurrency: number;
  threads: number;
  device: NodeDevice;
  name?: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
}

export function workerCommand(): Command {
  return withQueueOptions(new Command('worker'), true)
    .description('Score the chunk jobs of `vaekit score --queue` with this model until stopped (SIGTERM/SIGINT finish the current jobs first).')
    .argument('<model>', 'model folder (encoder.onnx, decoder.onnx, vaekit.json); jobs naming other SHA-256s are refused')
    .option('--concurrency <n>', 'jobs scored at once by this process', parserFor(positiveInteger), DEFAULTS.concurrency)
    .option('--threads <n>', 'ONNX Runtime intra-op threads per session (0: one per core)', parserFor(nonNegativeInteger), 0)
    .addOption(new Option('--device <name>', 'execution provider').choices(NODE_DEVICES).default('auto'))
    .option('--name <name>', 'worker name in progress and job records (default: <hostname>:<pid>)')
    .option('--lock-duration-ms <ms>', 'a job\'s lock, renewed every half of it while the worker lives; a killed worker\'s job goes back to the queue after it expires', parserFor(positiveInteger), DEFAULTS.lockDurationMs)
    .option('--stalled-interval-ms <ms>', 'how often workers look for expired locks (stalled jobs)', parserFor(positiveInteger), DEFAULTS.stalledIntervalMs)
    .option('--max-stalled-count <n>', 'times a chunk may be taken back from a stopped worker before it fails', parserFor(positiveInteger), DEFAULTS.maxStalledCount)
    .action(async (model: string, flags: WorkerFlags) => {
      // bullmq and ioredis are optional peers: check them, then load the worker.
      assertPeers('vaekit worker', QUEUE_PEERS);
      const [{ startScoreWorker }, { redisOptions }] = await Promise.all([import('../queue/score-worker.js'), import('../queue/redis-connection.js')]);
      redisOptions(flags.queue); // a malformed --queue fails before the model loads
      const vae = await Vae.load(model, { device: flags.device, threads: flags.threads });
      const log = (line: string) => console.error(`vaekit worker: ${line}`);
      try {
        const worker = await startScoreWorker(vae, model, {
          queue: flags.queue,
          queueName: flags.queueName,
          concurrency: flags.concurrency,
          name: flags.name,
          lockDurationMs: flags.lockDurationMs,
          stalledIntervalMs: flags.stalledIntervalMs,
          maxStalledCount: flags.maxStalledCount,
          log,
        });
        await new Promise<void>((resolve, reject) => {
          const stop = (signal: string) => {
            log(`${signal}: finishing the jobs in progress, then exiting`);
            worker.close().then(resolve, reject);
          };
          process.once('SIGTERM', () => stop('SIGTERM'));
          process.once('SIGINT', () => stop('SIGINT'));
        });
        log('stopped');
      } finally {
        await vae.dispose();
      }
    });
}
