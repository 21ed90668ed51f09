// One daemon per state dir: `<stateDir>/daemon.json` holds the pid and endpoint of the running
// daemon, created with O_EXCL so two starts cannot both win; a file whose pid is dead is stale
// and is replaced.
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface DaemonInfo {
  endpoint: string;
  caCertPath: string;
  subscriptionId: string;
  stateDir: string;
  pid: number;
}

export const lockPath = (stateDir: string): string => join(stateDir, 'daemon.json');

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running daemon's info, or undefined (a stale lock is ignored). */
export function readLock(stateDir: string): (DaemonInfo & { starting?: boolean }) | undefined {
  const p = lockPath(stateDir);
  if (!existsSync(p)) return undefined;
  try {
    const info = JSON.parse(readFileSync(p, 'utf8'));
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

class DaemonAlreadyRunningError extends Error {
  constructor(
    readonly info: { pid: number; endpoint?: string },
    stateDir: string,
  ) {
    super(
      `A local cloud daemon (pid ${info.pid}${info.endpoint ? `, ${info.endpoint}` : ''}) ` +
        `already runs on state dir ${stateDir}. Stop it with \`gpuarb local stop\` or use ` +
        `another --state-dir.`,
    );
    this.name = 'DaemonAlreadyRunningError';
  }
}

/** Claims the state dir for this process; throws if a live daemon holds it. */
export function acquireLock(stateDir: string): void {
  const p = lockPath(stateDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(p, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, starting: true }));
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid: number; endpoint?: string };
      try {
        holder = JSON.parse(readFileSync(p, 'utf8'));
      } catch {
        // Half-written by a racing start: treat as held rather than risk two daemons.
        throw new DaemonAlreadyRunningError({ pid: -1 }, stateDir);
      }
      if (isAlive(holder.pid) && holder.pid !== process.pid) throw new DaemonAlreadyRunningError(holder, stateDir);
      rmSync(p, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`Could not claim ${p}.`);
}

export function releaseLock(stateDir: string): void {
  try {
    const info = JSON.parse(readFileSync(lockPath(stateDir), 'utf8'));
    if (info.pid === process.pid) rmSync(lockPath(stateDir), { force: true });
  } catch {
    /* already gone */
  }
}
