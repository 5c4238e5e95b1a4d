/**
 * Names of the folders `writeModelFolder` stages a model in (`.<name>.tmp-<pid>-<ms>`) and
 * retires the old one to (`.<name>.old-<pid>-<ms>`), beside the target, and when a leftover one
 * (a killed export) is stale.
 */

export type StagingRole = 'tmp' | 'old';

export interface StagingName {
  /** The target folder's name. */
  base: string;
  role: StagingRole;
  /** The process that wrote it. */
  pid: number;
  /** When it was made (ms since the epoch). */
  time: number;
}

const STAGING_NAME = /^\.(.+)\.(tmp|old)-(\d+)-(\d+)$/;

/**
 * A staging folder lives for the seconds it takes to write a few files: one older than this
 * belongs to an export that is not coming back, even if its pid now names another process.
 */
export const STALE_AFTER_MS = 10 * 60 * 1000;

export function stagingName(base: string, role: StagingRole, pid: number, time: number): string {
  return `.${base}.${role}-${pid}-${time}`;
}

export function parseStagingName(name: string): StagingName | null {
  const match = STAGING_NAME.exec(name);
  if (!match) return null;
  return { base: match[1]!, role: match[2] as StagingRole, pid: Number(match[3]), time: Number(match[4]) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/**
 * A leftover staging folder is stale, and safe to clean, when the process that made it has ended
 * or it is older than STALE_AFTER_MS. A live writer's fresh folder is never stale.
 */
export function isStale(staging: StagingName, now = Date.now()): boolean {
  return !isAlive(staging.pid) || now - staging.time > STALE_AFTER_MS;
}
