/** Where CLI commands write: injectable so tests capture output without spawning a process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress lines (stderr; silenced by --quiet). */
  progress(text: string): void;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  progress: (text) => process.stderr.write(text),
};

/** Collects output in memory, for tests. */
export function memoryIo(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string) { io.out += text; },
    stderr(text: string) { io.err += text; },
    progress(text: string) { io.err += text; },
  };
  return io;
}
