import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isStale, parseStagingName, STALE_AFTER_MS, stagingName } from '../../../src/train/run/staging-name.js';

describe('staging names', () => {
  it('round-trip: .<name>.tmp-<pid>-<ms> and .<name>.old-<pid>-<ms>', () => {
    expect(stagingName('my.model', 'tmp', 12, 1700000000000)).toBe('.my.model.tmp-12-1700000000000');
    expect(parseStagingName('.my.model.old-12-1700000000000')).toEqual({ base: 'my.model', role: 'old', pid: 12, time: 1700000000000 });
    expect(parseStagingName('.model.tmp-12')).toBeNull();
    expect(parseStagingName('model.tmp-12-3')).toBeNull();
  });

  it('is stale when its process has ended or it is older than STALE_AFTER_MS; a live fresh one is not', () => {
    const now = Date.now();
    const ended = spawnSync(process.execPath, ['-e', '']).pid!;
    expect(isStale({ base: 'm', role: 'tmp', pid: ended, time: now }, now)).toBe(true);
    expect(isStale({ base: 'm', role: 'old', pid: process.pid, time: now - STALE_AFTER_MS - 1 }, now)).toBe(true);
    expect(isStale({ base: 'm', role: 'tmp', pid: process.pid, time: now - 1000 }, now)).toBe(false);
  });
});
