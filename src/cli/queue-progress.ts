/**
 * The producer's overall progress on stderr: rows written, rows/s, ETA when the total is known, and
 * rows per worker. One rewritten line on a TTY; on a pipe or log file, a line every 5 s and at the end.
 */
import type { QueueProgress } from '../queue/score-producer.js';

const PLAIN_EVERY_MS = 5000;

function line(p: QueueProgress, totalRows: number | undefined): string {
  const rate = Math.round(p.rowsPerSecond);
  const share = totalRows ? ` / ${totalRows} (${((100 * p.rowsDone) / totalRows).toFixed(0)} %)` : '';
  const eta = totalRows && rate > 0 ? `, ETA ${Math.ceil((totalRows - p.rowsDone) / rate)} s` : '';
  const workers = [...p.workers].map(([name, rows]) => `${name} ${rows}`).join(', ');
  const stalled = p.stalled ? `, ${p.stalled} chunk(s) taken back from stopped workers` : '';
  return `rows ${p.rowsDone}${share}, ${rate} rows/s${eta} · ${p.workers.size} worker(s)${workers ? `: ${workers}` : ''}${stalled}`;
}

/** A progress callback for scoreOnQueue, and `done()` to end the line. */
export function createQueueProgress(totalRows: number | undefined, stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  let last: QueueProgress | null = null;
  let printedAt = 0;
  return {
    update(progress: QueueProgress) {
      last = progress;
      if (tty) {
        stream.write(`\r\x1b[2K${line(progress, totalRows)}`);
      } else if (performance.now() - printedAt >= PLAIN_EVERY_MS) {
        printedAt = performance.now();
        stream.write(`${line(progress, totalRows)}\n`);
      }
    },
    /** Writes the final line (on a TTY, ends the rewritten one). */
    done() {
      if (!last) return;
      stream.write(tty ? '\n' : `${line(last, totalRows)}\n`);
    },
    /** Prints `text` on its own line without breaking the progress line. */
    log(text: string) {
      stream.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
      if (tty && last) stream.write(line(last, totalRows));
    },
  };
}
