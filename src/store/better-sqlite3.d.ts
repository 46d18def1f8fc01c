// The part of better-sqlite3's API the store uses (the package ships no types; @types/better-sqlite3
// is not a dependency, to keep the install to one package).
declare module 'better-sqlite3' {
  namespace Database {
    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }
    interface Statement<Row = unknown> {
      run(...parameters: unknown[]): RunResult;
      get(...parameters: unknown[]): Row | undefined;
      all(...parameters: unknown[]): Row[];
      iterate(...parameters: unknown[]): IterableIterator<Row>;
    }
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      timeout?: number;
    }
    interface Database {
      readonly open: boolean;
      readonly name: string;
      prepare<Row = unknown>(source: string): Statement<Row>;
      exec(source: string): this;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      /** `BEGIN` (deferred) when called; `.immediate(...)` begins with `BEGIN IMMEDIATE` (takes the write lock first). */
      transaction<F extends (...args: never[]) => unknown>(fn: F): F & { immediate: F; deferred: F; exclusive: F };
      close(): this;
    }
  }
  const Database: {
    new (filename: string, options?: Database.Options): Database.Database;
  };
  export = Database;
}
