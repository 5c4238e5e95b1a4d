/**
 * The output file of `vaekit score` (local or `--queue`): one line per row, written chunk by chunk
 * to `<out>.partial` beside a state file `<out>.partial.json` that records the chunks done and the
 * bytes they take, so a killed run resumes at its last completed chunk. The file appears at `<out>`
 * only when `commit()` renames it there: a file at `<out>` is always complete.
 */
import { type FileHandle, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { VaekitError } from '../errors.js';
import type { ScoredChunk } from './score-chunk.js';

/** What makes two runs the same run: a resume continues only a partial file of an identical one. */
export interface ScoreRunIdentity {
  /** SHA-256 of the model's graphs (from its manifest, which Vae.load has checked against the files). */
  model: { encoder: string; decoder: string };
  /** The data read, as describeScoreData (read-chunks.ts) writes it. */
  data: string;
  k: number;
  seed: number;
  chunkRows: number;
}

/** The columns of a score file, in order. */
export const SCORE_COLUMNS = ['index', 'label', 'neg_elbo', 'recon', 'kl', 'nll', 'percentile'] as const;
export type ScoreColumn = (typeof SCORE_COLUMNS)[number];

/** The file formats, told by the output's extension. */
export type ScoreFormat = 'csv' | 'jsonl';

export interface ScoreOutputOptions {
  /** Continue the partial file of an identical run (a fresh start when there is none). */
  resume: boolean;
  identity: ScoreRunIdentity;
  /** Columns to write, in SCORE_COLUMNS order; default all of them. */
  columns?: readonly ScoreColumn[];
}

/** The sidecar `<out>.partial.json`. */
interface PartialState {
  writer: 'vaekit score';
  identity: ScoreRunIdentity & { format: ScoreFormat; columns: ScoreColumn[] };
  chunksDone: number;
  rows: number;
  bytes: number;
}

/** `.csv` → csv, `.jsonl` / `.ndjson` → jsonl; anything else is refused. */
export function scoreFormat(path: string): ScoreFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new VaekitError('invalid-argument', `'out' must end in .csv, .jsonl or .ndjson (the format follows the extension); found ${JSON.stringify(basename(path))}`);
}

/** float64 → its shortest round-trip decimal (JavaScript's String): the same text on every run and machine. */
function number(value: number, format: ScoreFormat): string {
  if (Number.isFinite(value)) return String(value);
  return format === 'jsonl' ? 'null' : String(value);
}

/** The text of one chunk's rows. */
export function formatRows(chunk: ScoredChunk, format: ScoreFormat, columns: readonly ScoreColumn[]): string {
  const lines: string[] = [];
  for (let i = 0; i < chunk.count; i++) {
    const cell = (column: ScoreColumn): string => {
      switch (column) {
        case 'index': return String(chunk.first + i);
        case 'label': return chunk.labels ? String(chunk.labels[i]) : format === 'csv' ? '' : 'null';
        case 'neg_elbo': return number(chunk.negElbo[i]!, format);
        case 'recon': return number(chunk.recon[i]!, format);
        case 'kl': return number(chunk.kl[i]!, format);
        case 'nll': return number(chunk.nll[i]!, format);
        case 'percentile': return chunk.percentile ? number(chunk.percentile[i]!, format) : format === 'csv' ? '' : 'null';
      }
    };
    lines.push(format === 'csv' ? columns.map(cell).join(',') : `{${columns.map((c) => `"${c}":${cell(c)}`).join(',')}}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function checkColumns(columns: readonly ScoreColumn[]): ScoreColumn[] {
  const unknown = columns.filter((c) => !SCORE_COLUMNS.includes(c));
  if (unknown.length || columns.length === 0 || new Set(columns).size !== columns.length) {
    throw new VaekitError('invalid-argument', `'columns' must name distinct columns of ${SCORE_COLUMNS.join(', ')}; found ${JSON.stringify(columns)}`);
  }
  return SCORE_COLUMNS.filter((c) => columns.includes(c));
}

async function kindOf(path: string): Promise<'file' | 'directory' | 'other' | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? 'file' : info.isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new VaekitError('io-error', `${path}: cannot read (${(error as Error).message})`, { cause: error });
  }
}

/**
 * The commit renames over `out`: that may replace an earlier result of vaekit score (first line: its
 * CSV header, or a JSON Lines row starting with "index"), never a file someone else wrote.
 */
async function refuseForeignFile(out: string): Promise<void> {
  const file = await open(out, 'r');
  let first: string;
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(4096), 0, 4096, 0);
    first = buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0]!;
  } finally {
    await file.close();
  }
  const names = first.split(',');
  const csvHeader = names[0] === 'index' && names.every((n) => (SCORE_COLUMNS as readonly string[]).includes(n)) && new Set(names).size === names.length;
  if (csvHeader || first.startsWith('{"index":')) return;
  throw new VaekitError(
    'refused-overwrite',
    `'out' ${out} exists and was not written by vaekit score (its first line is ${JSON.stringify(first.slice(0, 60))}): choose another --out, or move that file away`,
  );
}

/** The fields in which a resume differs from the run that wrote the partial file. */
function differences(found: PartialState['identity'], wanted: PartialState['identity']): string[] {
  const out: string[] = [];
  const show = (v: unknown) => JSON.stringify(v);
  if (found.model?.encoder !== wanted.model.encoder || found.model?.decoder !== wanted.model.decoder) out.push(`model (graph SHA-256 ${show(found.model)} vs ${show(wanted.model)})`);
  for (const key of ['data', 'k', 'seed', 'chunkRows', 'format'] as const) {
    if (found[key] !== wanted[key]) out.push(`${key} (${show(found[key])} then, ${show(wanted[key])} now)`);
  }
  if (show(found.columns) !== show(wanted.columns)) out.push(`columns (${show(found.columns)} then, ${show(wanted.columns)} now)`);
  return out;
}

/**
 * Writes a score file chunk by chunk, resumably.
 *
 * @example
 * ```ts
 * const out = await ScoreOutput.open('scores.csv', { resume: true, identity });
 * for await (const chunk of readScoreChunks(vae.manifest, 'mnist', {}, 256, out.nextChunk)) {
 *   await out.append(await scoreChunk(vae, chunk, { k: 100, seed: 0 }));
 * }
 * const { rows } = await out.commit(); // scores.csv is complete now
 * ```
 */
export class ScoreOutput {
  private closed = false;

  private constructor(
    /** The final path. */
    readonly path: string,
    readonly format: ScoreFormat,
    private readonly file: FileHandle,
    private state: PartialState,
    /** Whether a partial run was continued. */
    readonly resumed: boolean,
  ) {}

  /** The partial file's path. */
  get partialPath(): string {
    return `${this.path}.partial`;
  }

  /** The chunk the next `append` must hold (0 on a fresh start). */
  get nextChunk(): number {
    return this.state.chunksDone;
  }

  /** Rows written so far. */
  get rows(): number {
    return this.state.rows;
  }

  /**
   * Opens `<path>.partial` for writing. Without `resume`, an existing partial run is refused (never
   * overwritten); with it, the partial file is cut back to the bytes of its last completed chunk
   * and writing continues at `nextChunk`, provided the run is the same (`identity`, format and
   * columns), else refused with the fields that differ.
   *
   * @throws VaekitError `invalid-argument` for a path that is a folder or has another extension,
   * or a resume of a different run; `refused-overwrite` for a partial run without `resume`, or
   * partial files vaekit cannot account for.
   */
  static async open(path: string, options: ScoreOutputOptions): Promise<ScoreOutput> {
    const out = resolve(path);
    const format = scoreFormat(out);
    const columns = checkColumns(options.columns ?? SCORE_COLUMNS);
    const identity = { ...options.identity, format, columns };
    const partial = `${out}.partial`;
    const statePath = `${partial}.json`;
    const outKind = await kindOf(out);
    if (outKind === 'directory') throw new VaekitError('invalid-argument', `'out' ${out} is a folder; give the path of a .csv or .jsonl file`);
    if (outKind === 'other') throw new VaekitError('invalid-argument', `'out' ${out} exists and is not a regular file`);
    if ((await kindOf(dirname(out))) !== 'directory') throw new VaekitError('invalid-argument', `'out' ${out}: folder ${dirname(out)} does not exist`);
    if (outKind === 'file') await refuseForeignFile(out);
    const [partialKind, stateKind] = [await kindOf(partial), await kindOf(statePath)];

    // The state file is written before the partial file: a run killed between the two left a state of 0 chunks alone.
    const orphanStart = partialKind === null && stateKind === 'file' && (await readState(statePath)).chunksDone === 0;
    if ((partialKind !== null || stateKind !== null) && !orphanStart) {
      if (partialKind !== 'file' || stateKind !== 'file') {
        const [have, lack] = partialKind === null ? [statePath, partial] : [partial, statePath];
        throw new VaekitError('refused-overwrite', `${have} exists without ${lack}: it is not a partial run of vaekit score that can be continued; remove it to start again`);
      }
      const state = await readState(statePath);
      if (!options.resume) {
        throw new VaekitError(
          'refused-overwrite',
          `${partial} holds an unfinished run (${state.chunksDone} chunk(s), ${state.rows} rows done): continue it with --resume, or remove ${partial} and ${statePath} to start again`,
        );
      }
      const diff = differences(state.identity, identity);
      if (diff.length) {
        throw new VaekitError('invalid-argument', `cannot resume ${partial}: it is a run with another ${diff.join('; ')}; run with the same settings, or remove ${partial} and ${statePath} to start again`);
      }
      const size = (await stat(partial)).size;
      if (size < state.bytes) {
        throw new VaekitError('refused-overwrite', `cannot resume ${partial}: it holds ${size} bytes, fewer than the ${state.bytes} its ${state.chunksDone} completed chunk(s) wrote; remove ${partial} and ${statePath} to start again`);
      }
      const file = await open(partial, 'r+');
      await file.truncate(state.bytes);
      return new ScoreOutput(out, format, file, state, true);
    }

    const header = format === 'csv' ? `${columns.join(',')}\n` : '';
    const state: PartialState = { writer: 'vaekit score', identity, chunksDone: 0, rows: 0, bytes: Buffer.byteLength(header) };
    await saveState(statePath, state);
    const file = await open(partial, 'wx');
    await file.write(header, 0);
    return new ScoreOutput(out, format, file, state, false);
  }

  /**
   * Appends a scored chunk: it must be chunk `nextChunk` (rows from nextChunk · chunkRows), and
   * only the last chunk may hold fewer than chunkRows rows. The state file records it once its
   * bytes are written.
   */
  async append(chunk: ScoredChunk): Promise<void> {
    this.checkOpen();
    const { chunkRows, format, columns } = this.state.identity;
    const first = this.state.chunksDone * chunkRows;
    if (chunk.first !== first || chunk.count < 1 || chunk.count > chunkRows || this.state.rows !== first) {
      const why = this.state.rows !== first ? `the previous chunk held ${this.state.rows - (first - chunkRows)} rows, so it was the last` : `expected chunk ${this.state.chunksDone} (rows ${first}…${first + chunkRows - 1})`;
      throw new VaekitError('invalid-argument', `'chunk' holds rows ${chunk.first}…${chunk.first + chunk.count - 1}; ${why}: chunks are written in order`);
    }
    const text = Buffer.from(formatRows(chunk, format, columns));
    await this.file.write(text, 0, text.length, this.state.bytes);
    this.state = { ...this.state, chunksDone: this.state.chunksDone + 1, rows: this.state.rows + chunk.count, bytes: this.state.bytes + text.length };
    await this.saveState();
  }

  /** Flushes the file to disk and renames it to the final path; the state file goes. */
  async commit(): Promise<{ rows: number; path: string }> {
    this.checkOpen();
    await this.file.sync();
    await this.file.close();
    this.closed = true;
    await rename(this.partialPath, this.path);
    await rm(`${this.partialPath}.json`, { force: true });
    await syncFolder(dirname(this.path));
    return { rows: this.state.rows, path: this.path };
  }

  /** Closes the partial file without committing it (it stays for a later --resume). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new VaekitError('invalid-argument', `score output ${this.path} is already committed or closed`);
  }

  private saveState(): Promise<void> {
    return saveState(`${this.partialPath}.json`, this.state);
  }
}

/** Replaces the state file atomically (temp file + rename). */
async function saveState(path: string, state: PartialState): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp`);
  await writeFile(temp, `${JSON.stringify(state)}\n`);
  await rename(temp, path);
}

async function readState(path: string): Promise<PartialState> {
  let state: PartialState;
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as PartialState;
  } catch (cause) {
    throw new VaekitError('refused-overwrite', `${path} is not a state file of vaekit score (${(cause as Error).message}); remove it and its .partial file to start again`, { cause });
  }
  if (state?.writer !== 'vaekit score' || !Number.isSafeInteger(state.bytes) || !Number.isSafeInteger(state.chunksDone) || typeof state.identity !== 'object') {
    throw new VaekitError('refused-overwrite', `${path} is not a state file of vaekit score; remove it and its .partial file to start again`);
  }
  return state;
}

/** fsync of a folder, so the rename survives a power loss (not supported everywhere: best effort). */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse fsync on a folder; the rename itself has happened.
  }
}
