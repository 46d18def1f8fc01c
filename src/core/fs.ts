import { constants } from 'node:fs';
import { mkdir, open, readdir, realpath, rename, stat, writeFile, rm } from 'node:fs/promises';
import { dirname, basename, join, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ErrorCodes, GrpoTraderError, excerpt } from './errors.js';

/** Write a file atomically: write a temporary sibling, then rename over the target. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Write a directory atomically: `fill` writes into a temporary sibling, which then replaces
 * `<directory>/<name>` by a rename. Returns the directory's path.
 */
export async function writeDirectoryAtomic(directory: string, name: string, fill: (temporary: string) => Promise<void>): Promise<string> {
  await mkdir(directory, { recursive: true });
  const final = join(directory, name);
  const temporary = join(directory, `.${name}.tmp-${process.pid}`);
  // What a killed writer left of an earlier replacement (its temporary copy, or the old version it had moved aside).
  for (const entry of await readdir(directory)) {
    if (entry.startsWith(`.${name}.tmp-`) || entry.startsWith(`.${name}.old-`)) await rm(join(directory, entry), { recursive: true, force: true });
  }
  await mkdir(temporary, { recursive: true });
  await fill(temporary);
  // The old version is moved aside, not deleted, until the new one is in place: a kill while a
  // directory is deleted would leave half of it; between two renames, nothing or the whole old one.
  const aside = join(directory, `.${name}.old-${process.pid}`);
  await rm(aside, { recursive: true, force: true });
  const replacing = await rename(final, aside).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
  await rename(temporary, final);
  if (replacing) await rm(aside, { recursive: true, force: true });
  return final;
}

/** Whether `path` exists (as a file or a directory, when `kind` says which). */
export async function pathExists(path: string, kind?: 'file' | 'directory'): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  if (info === null) return false;
  return kind === undefined || (kind === 'file' ? info.isFile() : info.isDirectory());
}

/** What a reader accepts from one file. */
export interface ReadLimits {
  /** Largest file, in bytes. */
  maxBytes: number;
  /** Longest line, in bytes (text files only). */
  maxLineLength?: number;
}

/**
 * The limits every text input (OHLCV CSV, weights, equity curves) is read under, documented in
 * docs/data.md: 500 MiB stays below the longest string Node can decode (~512 MiB), and no real CSV
 * row comes near 64 KiB, so a longer "line" is a binary or corrupted file.
 */
export const TEXT_READ_LIMITS: Readonly<Required<ReadLimits>> = { maxBytes: 500 * 1024 * 1024, maxLineLength: 64 * 1024 };

function sizeText(bytes: number): string {
  for (const [unit, size] of [['MiB', 1024 * 1024], ['KiB', 1024]] as const) if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  return `${bytes} bytes`;
}

/**
 * Read a whole file under `limits`: something that is not a regular file (a device such as
 * /dev/zero, a pipe, a directory) would be read without end or not at all, so it is refused before
 * reading, as is a file above `maxBytes` (checked again while reading, in case it grows) or, with
 * `maxLineLength`, one with a longer line. Every refusal is one coded error naming the file.
 */
export async function readFileBounded(path: string, limits: ReadLimits = TEXT_READ_LIMITS): Promise<Buffer> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before the check below.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GrpoTraderError(ErrorCodes.notFound, 'no such file', { location: { file: path }, cause: error });
    throw new GrpoTraderError(ErrorCodes.io, `cannot open (${code ?? (error as Error).message})`, { location: { file: path }, cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, `not a regular file (${info.isDirectory() ? 'a directory' : 'a device, pipe or socket'}); give a file`, { location: { file: path } });
    }
    const tooLarge = () => new GrpoTraderError(ErrorCodes.invalidData, `larger than the ${sizeText(limits.maxBytes)} a file may hold`, { location: { file: path } });
    if (info.size > limits.maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.max(64 * 1024, Math.min(info.size - total + 1, limits.maxBytes + 1 - total)));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limits.maxBytes) throw tooLarge();
      chunks.push(chunk.subarray(0, bytesRead));
    }
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    if (limits.maxLineLength !== undefined) checkLineLengths(bytes, path, limits.maxLineLength);
    return bytes;
  } catch (error) {
    if (error instanceof GrpoTraderError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new GrpoTraderError(ErrorCodes.io, `cannot read (${code ?? (error as Error).message})`, { location: { file: path }, cause: error });
  } finally {
    await handle.close();
  }
}

/** Refuse text with a line longer than `maxLineLength` bytes (line breaks: \n, \r\n or \r), naming the file and the line. */
export function checkLineLengths(bytes: Uint8Array, file: string, maxLineLength: number): void {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let start = 0;
  let line = 1;
  while (start <= buffer.length) {
    let end = buffer.indexOf(0x0a, start);
    if (end < 0) end = buffer.length;
    if (end - start > maxLineLength) {
      // Only a long stretch without \n needs a look for lone \r breaks (old Mac line ends).
      let pieceStart = start;
      for (let i = start; i <= end; i++) {
        if (i === end || buffer[i] === 0x0d) {
          if (i - pieceStart > maxLineLength) {
            throw new GrpoTraderError(ErrorCodes.invalidData, `line longer than ${sizeText(maxLineLength)} (not a text file of rows?)`, { location: { file, line } });
          }
          if (i < end && buffer[i + 1] !== 0x0a) line++;
          pieceStart = i + 1;
        }
      }
    }
    line++;
    start = end + 1;
  }
}

/** Read and parse a JSON file the program wrote (a pointer, a state, a record); a damaged one is CORRUPTED naming the file, with an excerpt of the parse error. */
export async function readJsonFile<T = unknown>(path: string, limits: ReadLimits = { maxBytes: TEXT_READ_LIMITS.maxBytes }): Promise<T> {
  const text = (await readFileBounded(path, limits)).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new GrpoTraderError(ErrorCodes.corrupted, `not valid JSON (${excerpt((error as Error).message, 120)}): the file is truncated or damaged`, { location: { file: path }, cause: error });
  }
}

/** A path a command reads, with the option that named it (for messages). */
export interface CommandInput {
  option: string;
  path: string;
}

/** What is checked about an output before a command writes it. */
export interface OutputCheck {
  /** The option that names the output (`--out`, `--output`...), for messages. */
  option: string;
  /** Everything the command reads: the output may not be one of them (nor, when emptied, hold one). */
  inputs?: readonly CommandInput[];
  /** `--overwrite` was given: an existing output is replaced. */
  overwrite?: boolean;
}

/** Device and inode of what `path` names (following symlinks, so links to one file compare equal), or null when nothing is there. */
async function identity(path: string): Promise<string | null> {
  const info = await stat(path).catch(() => null);
  return info === null ? null : `${info.dev}:${info.ino}`;
}

/** Whether two paths name the same existing file or directory (by device and inode: symlinks and hard links count). */
export async function samePath(a: string, b: string): Promise<boolean> {
  const first = await identity(a);
  return first !== null && first === (await identity(b));
}

async function inputAt(path: string, inputs: readonly CommandInput[]): Promise<CommandInput | undefined> {
  const target = await identity(path);
  if (target === null) return undefined;
  for (const input of inputs) if ((await identity(input.path)) === target) return input;
  return undefined;
}

function isInput(option: string, path: string, input: CommandInput): GrpoTraderError {
  return new GrpoTraderError(ErrorCodes.invalidArgument, `${option} ${path} is the input given by ${input.option} ${input.path}; write the output elsewhere`);
}

/**
 * Check a file a command is about to write: it may not be one of the command's inputs (compared by
 * device and inode, so a symlink or a hard link to an input counts), nor a directory, nor an
 * existing file unless `overwrite` (then the write replaces it atomically).
 */
export async function checkOutputFile(path: string, check: OutputCheck): Promise<void> {
  const input = await inputAt(path, check.inputs ?? []);
  if (input) throw isInput(check.option, path, input);
  const info = await stat(path).catch(() => null);
  if (info === null) return;
  if (info.isDirectory()) throw new GrpoTraderError(ErrorCodes.invalidArgument, `${check.option} ${path} is a directory; give a file name`);
  if (!check.overwrite) throw new GrpoTraderError(ErrorCodes.invalidArgument, `${check.option} ${path} already exists; give another file, or --overwrite to replace it`);
}

/** How a command treats an output directory that already holds something. */
export type ExistingOutput =
  /** Refuse it (the default: nothing is lost). */
  | 'refuse'
  /** Keep it and write into it: the command continues what is there (--resume) or collects files in it (a data folder). */
  | 'continue'
  /** Empty it first (--overwrite), so nothing of the old output mixes with the new. */
  | 'replace';

export interface OutputDirectoryCheck extends OutputCheck {
  existing: ExistingOutput;
  /** What the directory holds, for messages ("a training run"). */
  what: string;
  /**
   * Entries (relative paths) of which a directory must hold at least one to be emptied by
   * 'replace': only the command's own earlier output is ever deleted, never an arbitrary folder.
   */
  markers: readonly string[];
  /** Appended to the refusal of a non-empty directory (how to continue or replace it). */
  hint?: string;
}

/**
 * Prepare the directory a command writes one whole output into (a training run, a report, the
 * demo): it may not be one of the inputs; an existing non-empty one is refused, continued or — only
 * when it holds one of `markers` and none of the inputs — emptied, as `existing` says. Creates it.
 */
export async function prepareOutputDirectory(path: string, check: OutputDirectoryCheck): Promise<void> {
  const inputs = check.inputs ?? [];
  const input = await inputAt(path, inputs);
  if (input) throw isInput(check.option, path, input);
  const info = await stat(path).catch(() => null);
  if (info !== null && !info.isDirectory()) throw new GrpoTraderError(ErrorCodes.invalidArgument, `${check.option} ${path} is a file; give a directory`);
  const entries = info === null ? [] : await readdir(path);
  if (entries.length > 0 && check.existing !== 'continue') {
    if (check.existing === 'refuse') {
      throw new GrpoTraderError(ErrorCodes.invalidArgument, `${check.option} ${path} is not empty${check.hint ? `; ${check.hint}` : ''}`);
    }
    let owned = false;
    for (const marker of check.markers) if (await pathExists(join(path, marker))) owned = true;
    if (!owned) throw new GrpoTraderError(ErrorCodes.invalidArgument, `${check.option} ${path} is not empty and does not hold ${check.what} (none of ${check.markers.join(', ')}); it is not emptied: give another directory`);
    const root = await realpath(path);
    for (const candidate of inputs) {
      const real = await realpath(candidate.path).catch(() => null);
      if (real !== null && (real === root || real.startsWith(`${root}${sep}`))) {
        throw new GrpoTraderError(ErrorCodes.invalidArgument, `${check.option} ${path} holds the input given by ${candidate.option} ${candidate.path}; it cannot be emptied: write the output elsewhere`);
      }
    }
    for (const entry of entries) await rm(join(path, entry), { recursive: true, force: true });
  }
  await mkdir(path, { recursive: true });
}
