/** Without bullmq (an app that installed only vaekit), the queue commands refuse with the install line before loading anything. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUEUE_PEERS, installLine } from '../../src/optional-peers.js';
import { temporaryFolders } from '../helpers/temporary-folders.js';
import { ROOT } from './queue-helpers.js';

const folders = temporaryFolders('vaekit-queue-peers-');

/** `vaekit <args>` with bullmq hidden from Node's resolver. */
async function withoutBullmq(args: string[]) {
  const preload = join(await folders.folder(), 'hide.cjs');
  await writeFile(preload, `
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (request === 'bullmq' || request.startsWith('bullmq/')) throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
      return resolve.call(this, request, ...rest);
    };`);
  return spawnSync(process.execPath, ['--require', preload, '--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
}

describe('the queue commands without their optional peers', () => {
  it('vaekit worker names bullmq and the line that installs QUEUE_PEERS', async () => {
    const result = await withoutBullmq(['worker', 'models/mnist-mlp', '--queue', 'redis://127.0.0.1:1/0']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`vaekit: error: vaekit worker needs packages that are not installed (bullmq); install them with:\n  ${installLine(QUEUE_PEERS)}\n`);
  });

  it('vaekit score --queue does too, before it writes anything', async () => {
    const out = join(await folders.folder(), 'scores.csv');
    const result = await withoutBullmq(['score', 'models/mnist-mlp', '--data', 'mnist', '--max-rows', '10', '--k', '2', '--out', out, '--queue', 'redis://127.0.0.1:1/0']);
    expect(result.status).toBe(1);
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(result.stderr).toBe(`vaekit: error: vaekit score --queue needs packages that are not installed (bullmq); install them with:\n  ${installLine(QUEUE_PEERS)}\n`);
  });
});
