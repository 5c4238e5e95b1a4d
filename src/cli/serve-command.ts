import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { VaekitError } from '../errors.js';
import { SERVE_PEERS, assertPeers } from '../optional-peers.js';
import type { ServeSettings } from '../serve/settings.js';
import { nonNegativeInteger, positiveInteger } from '../train/options/value-types.js';
import { VAEKIT_VERSION } from '../train/version.js';
import { parserFor } from './options.js';

// The same numbers as src/serve/settings.ts SERVE_DEFAULTS (that file imports fastify-free types only,
// but the CLI must not load src/serve before the peer check, so the defaults are repeated here).
const DEFAULTS = { port: 8080, maxBatchSize: 64, maxQueueDelayMs: 2, maxQueue: 1024, maxRequestRows: 4096, bodyLimit: 64 * 1024 * 1024, timeoutMs: 30_000 };

interface ServeFlags {
  host: string;
  port: number;
  maxBatchSize: number;
  maxQueueDelayMs: number;
  maxQueue: number;
  maxRequestRows: number;
  bodyLimit: number;
  timeoutMs: number;
  threads: number;
  tokenFile?: string;
  cors?: string;
  log: boolean;
}

async function readToken(file: string): Promise<string> {
  const token = (await readFile(file, 'utf8').catch((error: Error) => {
    throw new VaekitError('invalid-argument', `--token-file ${file} cannot be read: ${error.message}`);
  })).trim();
  if (!/^[\x21-\x7e]{16,}$/.test(token)) throw new VaekitError('invalid-argument', `--token-file ${file} must hold one token of at least 16 printable characters without spaces; found ${token.length} characters`);
  return token;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Serve models over the Open Inference Protocol (KServe v2 REST, as Triton speaks it) and vaekit\'s own JSON endpoints.')
    .argument('<models...>', 'model folders (encoder.onnx, decoder.onnx, vaekit.json), fixed at start')
    .option('--host <host>', 'address to bind (0.0.0.0 opens it to the network)', '127.0.0.1')
    .option('--port <n>', 'port (0: a free one)', parserFor(nonNegativeInteger), DEFAULTS.port)
    .option('--max-batch-size <rows>', 'rows merged into one ONNX Runtime run per graph (1: no batching)', parserFor(positiveInteger), DEFAULTS.maxBatchSize)
    .option('--max-queue-delay-ms <ms>', 'how long a request waits for others to join its batch', parserFor(nonNegativeInteger), DEFAULTS.maxQueueDelayMs)
    .option('--max-queue <n>', 'requests waiting per graph model (beyond: 429)', parserFor(positiveInteger), DEFAULTS.maxQueue)
    .option('--max-request-rows <n>', 'rows one request may hold (beyond: 413)', parserFor(positiveInteger), DEFAULTS.maxRequestRows)
    .option('--body-limit <bytes>', 'bytes of one request body (beyond: 413)', parserFor(positiveInteger), DEFAULTS.bodyLimit)
    .option('--timeout-ms <ms>', 'per-request timeout (0: none)', parserFor(nonNegativeInteger), DEFAULTS.timeoutMs)
    .option('--threads <n>', 'ONNX Runtime intra-op threads per session (0: one per core)', parserFor(nonNegativeInteger), 0)
    .option('--token-file <file>', 'every route but /v2/health/* needs Authorization: Bearer <the token in this file>')
    .option('--cors <origin>', 'allow this origin (CORS is off without it)')
    .option('--no-log', 'no JSON request logs')
    .action(async (folders: string[], flags: ServeFlags) => {
      // fastify, @fastify/cors and prom-client are optional peers: check them, then load the server.
      assertPeers('vaekit serve', SERVE_PEERS);
      const [{ createServer }, { encodeImageGrid, encodeReconstructionGrid }] = await Promise.all([import('../serve/server.js'), import('../train/report/image-grid.js')]);
      const settings: ServeSettings = {
        models: folders,
        host: flags.host,
        port: flags.port,
        maxBatchSize: flags.maxBatchSize,
        maxQueueDelayMs: flags.maxQueueDelayMs,
        maxQueue: flags.maxQueue,
        maxRequestRows: flags.maxRequestRows,
        bodyLimit: flags.bodyLimit,
        timeoutMs: flags.timeoutMs,
        threads: flags.threads,
        token: flags.tokenFile === undefined ? undefined : await readToken(flags.tokenFile),
        cors: flags.cors,
        logger: flags.log,
        png: { grid: encodeImageGrid, pairs: encodeReconstructionGrid },
        version: VAEKIT_VERSION,
      };
      const server = await createServer(settings);
      const url = await server.listen();
      const names = server.models.flatMap((m) => [m.name, ...m.graphs.map((g) => g.name)]);
      console.error(`vaekit serve: listening on ${url} (models: ${names.join(', ')})`);
      await new Promise<void>((resolve, reject) => {
        const stop = (signal: string) => {
          console.error(`vaekit serve: ${signal}: finishing the requests in flight, then exiting`);
          server.close().then(resolve, reject);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
