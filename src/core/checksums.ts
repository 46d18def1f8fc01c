/**
 * Integrity of a directory of state files: `writeChecksums` records the SHA-256 of every file under a
 * directory in `checksums.json` (written last, so a save that has it is complete), and
 * `verifyChecksums` refuses the directory — one line naming the file — when any listed file is
 * missing or its bytes changed (a flipped bit on disk, a truncated copy, a hand edit). Binary state
 * (replay buffers, networks, optimiser moments) would otherwise be read back as wrong numbers with
 * no error.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ErrorCodes, GrpoTraderError } from './errors.js';
import { writeFileAtomic } from './fs.js';

/** The manifest's file name inside the directory it covers. */
export const CHECKSUMS_FILE = 'checksums.json';

interface ChecksumManifest {
  algorithm: 'sha256';
  /** Path relative to the directory (always with `/`) → hex digest. */
  files: Record<string, string>;
}

/** Hex SHA-256 of some bytes. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => path !== CHECKSUMS_FILE)
    .sort();
}

/** Record the SHA-256 of every file under `directory` in `<directory>/checksums.json` (atomically). */
export async function writeChecksums(directory: string): Promise<void> {
  const files: Record<string, string> = {};
  for (const path of await listFiles(directory)) files[path] = sha256Hex(await readFile(join(directory, path)));
  const manifest: ChecksumManifest = { algorithm: 'sha256', files };
  await writeFileAtomic(join(directory, CHECKSUMS_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
}

/**
 * Check every file `<directory>/checksums.json` lists against its recorded SHA-256; a missing or
 * unreadable manifest, a missing file or a different digest is CORRUPTED naming the file.
 */
export async function verifyChecksums(directory: string): Promise<void> {
  const manifestFile = join(directory, CHECKSUMS_FILE);
  let manifest: ChecksumManifest;
  try {
    manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as ChecksumManifest;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new GrpoTraderError(ErrorCodes.corrupted, missing ? 'missing: the directory cannot be checked, so it is not trusted' : `not a readable checksum manifest (${(error as Error).message})`, { location: { file: manifestFile }, cause: error });
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.algorithm !== 'sha256' || typeof manifest.files !== 'object' || manifest.files === null) {
    throw new GrpoTraderError(ErrorCodes.corrupted, 'not a sha256 checksum manifest', { location: { file: manifestFile } });
  }
  for (const [path, expected] of Object.entries(manifest.files)) {
    const file = join(directory, ...path.split('/'));
    if (path.split('/').includes('..')) throw new GrpoTraderError(ErrorCodes.corrupted, `lists a path outside its directory (${JSON.stringify(path)})`, { location: { file: manifestFile } });
    const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw new GrpoTraderError(ErrorCodes.corrupted, `listed in ${CHECKSUMS_FILE} but ${error.code === 'ENOENT' ? 'missing' : `unreadable (${error.code ?? error.message})`}`, { location: { file }, cause: error });
    });
    const actual = sha256Hex(bytes);
    if (actual !== expected) throw new GrpoTraderError(ErrorCodes.corrupted, `SHA-256 differs from the one recorded in ${CHECKSUMS_FILE}: the file was damaged or edited after it was written`, { location: { file } });
  }
}
