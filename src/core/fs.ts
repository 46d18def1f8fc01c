import { mkdir, rename, stat, writeFile, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

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
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary, { recursive: true });
  await fill(temporary);
  await rm(final, { recursive: true, force: true });
  await rename(temporary, final);
  return final;
}

/** Whether `path` exists (as a file or a directory, when `kind` says which). */
export async function pathExists(path: string, kind?: 'file' | 'directory'): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  if (info === null) return false;
  return kind === undefined || (kind === 'file' ? info.isFile() : info.isDirectory());
}
