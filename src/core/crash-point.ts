/**
 * Named crash points: places in a long-running command where a test (or a crash-anywhere harness)
 * can make the process die with SIGKILL — exactly like `kill -9` or a power cut — to prove that what
 * it wrote so far can always be resumed, and that resuming ends where an uninterrupted run ends.
 *
 * Two environment variables drive them; with neither set, a crash point costs one lookup and does
 * nothing (they are meant for tests, never for production configuration):
 *
 *   GRPO_TRADER_CRASH_AT=<name>[@<n>]   the process kills itself with SIGKILL the n-th time (default:
 *                                       the first) it reaches crash point <name>. Processes a command
 *                                       forks (sweep and walk-forward job processes) inherit it.
 *   GRPO_TRADER_CRASH_LOG=<file>        every crash point reached is appended to <file> as one line,
 *                                       `<name> <n>` (its name and how many times it was reached),
 *                                       written synchronously — a harness runs a command once with the
 *                                       log to learn which points it passes and how often, then once
 *                                       per (name, n) with GRPO_TRADER_CRASH_AT.
 *
 * Names are `<room or command>.<moment>` in kebab case, e.g. `online.saved`. Put a crash point
 * right after each durable write whose loss or duplication a restart must cope with (a file renamed
 * into place, a store transaction committed) — not inside a write: atomic writes already make those
 * all-or-nothing. Crash points of the online stream: `online.order-recorded` (orders.jsonl line
 * appended), `online.step-recorded` (steps.jsonl line appended), `online.saved` (a save renamed into
 * place and latest.json updated, not yet indexed in the store), `online.indexed` (indexed),
 * `online.finished` (the run's series, metrics, tests and status committed), and in
 * `grpo-trader online`, `online.report-written` (report files written, not yet recorded as an artifact).
 * Training, sweeps and walk-forward have theirs too (`train.*`, `checkpoint.*`, `sweep.*`,
 * `walk-forward.*`); docs/crash-check.md lists them all.
 */
import { appendFileSync } from 'node:fs';

/** The variable naming the crash point to die at (`name` or `name@n`). */
export const CRASH_AT_ENV = 'GRPO_TRADER_CRASH_AT';
/** The variable naming a file that logs every crash point reached. */
export const CRASH_LOG_ENV = 'GRPO_TRADER_CRASH_LOG';

const reached = new Map<string, number>();

/**
 * Mark crash point `name` as reached: logs it when GRPO_TRADER_CRASH_LOG is set, and kills this
 * process with SIGKILL (nothing after this line runs: no `finally`, no exit handler) when
 * GRPO_TRADER_CRASH_AT names it and this is the n-th time it is reached. See the module comment.
 */
export function crashPoint(name: string): void {
  const at = process.env[CRASH_AT_ENV];
  const log = process.env[CRASH_LOG_ENV];
  if (!at && !log) return;
  const count = (reached.get(name) ?? 0) + 1;
  reached.set(name, count);
  if (log) appendFileSync(log, `${name} ${count}\n`);
  if (!at) return;
  const match = /^(.+?)(?:@(\d+))?$/.exec(at.trim());
  if (match === null || match[1] !== name || count !== Number(match[2] ?? 1)) return;
  process.kill(process.pid, 'SIGKILL');
  // The signal is delivered on the way back from the kernel; block so that not one more statement runs.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
