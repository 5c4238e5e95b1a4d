import { createWriteStream } from 'node:fs';

/**
 * Writes a seeded CSV table of `rows` rows: id (text), four numeric features in three clusters, a
 * class name (x, y, z). Streamed in blocks, so a million rows need no memory; the same rows every
 * time (a fixed linear congruential generator), for vaekit score's tests and benchmark.
 */
export async function writeSeededTable(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  let state = 12345;
  const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const write = (text: string) => new Promise<void>((done) => (out.write(text) ? done() : out.once('drain', done)));
  await write('id,a,b,c,d,kind\n');
  let lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const k = i % 3;
    lines.push(`r${i},${(k + uniform()).toFixed(4)},${(-k + uniform() / 2).toFixed(4)},${(uniform() * 10).toFixed(3)},${(uniform() * 4 - 2).toFixed(4)},${'xyz'[k]}`);
    if (lines.length === 10_000) {
      await write(`${lines.join('\n')}\n`);
      lines = [];
    }
  }
  await write(lines.length ? `${lines.join('\n')}\n` : '');
  await new Promise<void>((done) => out.end(done));
}
