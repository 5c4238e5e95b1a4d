import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScoredChunk } from '../../src/score/score-chunk.js';
import { ScoreOutput, type ScoreRunIdentity } from '../../src/score/score-output.js';
import { rejected } from '../helpers/thrown.js';
import { temporaryFolders } from '../helpers/temporary-folders.js';

const folders = temporaryFolders('vaekit-score-output-');
const IDENTITY: ScoreRunIdentity = { model: { encoder: 'a'.repeat(64), decoder: 'b'.repeat(64) }, data: 'mnist split=all', k: 10, seed: 0, chunkRows: 3 };

/** A scored chunk with distinct, awkward float64 values (shortest round-trip text differs from toFixed). */
function chunk(index: number, count = 3, labelled = true, calibrated = false): ScoredChunk {
  const first = index * 3;
  const values = (offset: number) => Float64Array.from({ length: count }, (_, i) => (first + i + offset) / 7 + 0.1);
  return {
    first, count,
    labels: labelled ? Int32Array.from({ length: count }, (_, i) => (first + i) % 10) : null,
    negElbo: values(100), recon: values(80), kl: values(20), nll: values(90),
    percentile: calibrated ? values(0).map((v) => v * 10) : null,
  };
}

async function writeRun(path: string, chunks: ScoredChunk[], options: { resume?: boolean } = {}): Promise<ScoreOutput> {
  const out = await ScoreOutput.open(path, { resume: options.resume ?? false, identity: IDENTITY });
  for (const c of chunks.slice(out.nextChunk)) await out.append(c);
  return out;
}

describe('ScoreOutput', () => {
  it('writes CSV with the header, empty label/percentile when absent, shortest round-trip numbers; the file appears on commit', async () => {
    const path = join(await folders.folder(), 'scores.csv');
    const out = await writeRun(path, [chunk(0, 3, false), chunk(1, 2, false)]);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.partial`)).toBe(true);
    expect(await out.commit()).toEqual({ rows: 5, path });
    expect(existsSync(`${path}.partial`) || existsSync(`${path}.partial.json`)).toBe(false);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[0]).toBe('index,label,neg_elbo,recon,kl,nll,percentile');
    expect(lines[1]).toBe(`0,,${100 / 7 + 0.1},${80 / 7 + 0.1},${20 / 7 + 0.1},${90 / 7 + 0.1},`);
    expect(lines.length).toBe(7);
    expect(lines[6]).toBe('');
    for (const line of lines.slice(1, 6)) expect(line.split(',').map(Number).slice(2, 6).every(Number.isFinite)).toBe(true);
  });

  it('writes JSON Lines (.jsonl and .ndjson) with the same keys, null where absent', async () => {
    const dir = await folders.folder();
    for (const name of ['scores.jsonl', 'scores.ndjson']) {
      const out = await writeRun(join(dir, name), [chunk(0, 3, true, true), chunk(1, 1, false)]);
      await out.commit();
      const rows = readFileSync(join(dir, name), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(Object.keys(rows[0])).toEqual(['index', 'label', 'neg_elbo', 'recon', 'kl', 'nll', 'percentile']);
      expect(rows[0]).toMatchObject({ index: 0, label: 0, neg_elbo: 100 / 7 + 0.1 });
      expect(rows[0].percentile).toBeCloseTo((0 / 7 + 0.1) * 10, 12);
      expect(rows[3]).toMatchObject({ index: 3, label: null, percentile: null });
    }
  });

  it('resumes at the last completed chunk, cutting bytes written after it, and gives the bytes of an uninterrupted run', async () => {
    const dir = await folders.folder();
    const chunks = [chunk(0), chunk(1), chunk(2), chunk(3, 1)];
    const whole = join(dir, 'whole.csv');
    await (await writeRun(whole, chunks)).commit();

    const path = join(dir, 'resumed.csv');
    const first = await writeRun(path, chunks.slice(0, 2));
    await first.close();
    // A chunk half-written when the process died: bytes the state file does not count.
    await appendFile(`${path}.partial`, '6,6,12.3,4');
    const again = await ScoreOutput.open(path, { resume: true, identity: IDENTITY });
    expect([again.resumed, again.nextChunk, again.rows]).toEqual([true, 2, 6]);
    for (const c of chunks.slice(2)) await again.append(c);
    await again.commit();
    expect(await readFile(path)).toEqual(await readFile(whole));
  });

  it('refuses a partial run without --resume, and a resume of another run naming what differs', async () => {
    const path = join(await folders.folder(), 'scores.csv');
    await (await writeRun(path, [chunk(0)])).close();
    const fresh = await rejected(ScoreOutput.open(path, { resume: false, identity: IDENTITY }));
    expect(fresh.code).toBe('refused-overwrite');
    expect(fresh.message).toContain('holds an unfinished run (1 chunk(s), 3 rows done): continue it with --resume');
    const other = await rejected(ScoreOutput.open(path, { resume: true, identity: { ...IDENTITY, k: 1000, model: { ...IDENTITY.model, decoder: 'c'.repeat(64) } } }));
    expect(other.code).toBe('invalid-argument');
    expect(other.message).toMatch(/cannot resume .*scores\.csv\.partial: it is a run with another model \(graph SHA-256 .*\); k \(10 then, 1000 now\)/);
    // Nothing was touched: the original run still resumes.
    const resumed = await ScoreOutput.open(path, { resume: true, identity: IDENTITY });
    expect(resumed.nextChunk).toBe(1);
    await resumed.close();
  });

  it('starts afresh with --resume when there is nothing to resume', async () => {
    const path = join(await folders.folder(), 'scores.csv');
    const out = await ScoreOutput.open(path, { resume: true, identity: IDENTITY });
    expect([out.resumed, out.nextChunk]).toEqual([false, 0]);
    await out.close();
  });

  it('refuses a folder as --out, another extension, files it did not write, and chunks out of order', async () => {
    const dir = await folders.folder();
    await mkdir(join(dir, 'taken.csv'));
    expect((await rejected(ScoreOutput.open(join(dir, 'taken.csv'), { resume: false, identity: IDENTITY }))).message).toContain('is a folder');
    expect((await rejected(ScoreOutput.open(join(dir, 'scores.txt'), { resume: false, identity: IDENTITY }))).message).toContain("'out' must end in .csv, .jsonl or .ndjson");
    await writeFile(join(dir, 'foreign.csv.partial'), 'not ours\n');
    const foreign = await rejected(ScoreOutput.open(join(dir, 'foreign.csv'), { resume: true, identity: IDENTITY }));
    expect(foreign.code).toBe('refused-overwrite');
    expect(readFileSync(join(dir, 'foreign.csv.partial'), 'utf8')).toBe('not ours\n');
    // A file at --out itself is replaced only when it is an earlier result of vaekit score.
    await writeFile(join(dir, 'thesis.csv'), 'precious,data\n1,2\n');
    const thesis = await rejected(ScoreOutput.open(join(dir, 'thesis.csv'), { resume: false, identity: IDENTITY }));
    expect(thesis.code).toBe('refused-overwrite');
    expect(thesis.message).toContain('was not written by vaekit score');
    expect(readFileSync(join(dir, 'thesis.csv'), 'utf8')).toBe('precious,data\n1,2\n');
    expect(existsSync(join(dir, 'thesis.csv.partial'))).toBe(false);
    await (await writeRun(join(dir, 'again.csv'), [chunk(0)])).commit();
    await (await writeRun(join(dir, 'again.csv'), [chunk(0), chunk(1)])).commit();
    expect(readFileSync(join(dir, 'again.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 2 * 3);
    await (await writeRun(join(dir, 'again.jsonl'), [chunk(0)])).commit();
    await (await writeRun(join(dir, 'again.jsonl'), [chunk(0)])).commit();

    const out = await ScoreOutput.open(join(dir, 'order.csv'), { resume: false, identity: IDENTITY });
    expect((await rejected(out.append(chunk(1)))).message).toContain('expected chunk 0 (rows 0…2)');
    await out.append(chunk(0, 2));
    expect((await rejected(out.append(chunk(1)))).message).toContain('the previous chunk held 2 rows, so it was the last');
    await out.close();
  });
});
