/**
 * Who is running something, precisely enough to tell later whether it still is: host name, process
 * id and (on Linux) the process's start time — a pid alone is reused by the system, a pid with its
 * start time is not. Used to tell a killed run from a running one.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessIdentity {
  host: string;
  pid: number;
  /** Start time in clock ticks since boot (`/proc/<pid>/stat` field 22), null where unknown. */
  start: string | null;
}

/** A process's start time from /proc (Linux), or null (another system, or no such process). */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** This process. */
export function currentProcess(): ProcessIdentity {
  return { host: hostname(), pid: process.pid, start: startTime(process.pid) };
}

/**
 * Whether the process `identity` names is still running: `alive`, `dead` (on this host: no process
 * with its pid, or one started at another time), or `unknown` (another host).
 */
export function processState(identity: ProcessIdentity): 'alive' | 'dead' | 'unknown' {
  if (identity.host !== hostname()) return 'unknown';
  try {
    process.kill(identity.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  if (identity.start === null) return 'alive';
  const now = startTime(identity.pid);
  return now === null || now === identity.start ? 'alive' : 'dead';
}
