/**
 * `grpo-trader serve` as a real process: the live session killed with SIGKILL mid-feed and started
 * again resumes from its save, and every decision served before the kill is in the final record,
 * identical; SIGTERM stops it cleanly; bad input is one line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../store/run-store.js';
import { runCli, trainTinyModel } from '../../../test/tiny-model.js';

let dir: string;
let dataDir: string;
const run = runCli;

/** Start `grpo-trader serve …` as a child; resolves with its URL once it listens. */
function serve(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'test', 'run-cli.ts'), 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /serve: (http:\/\/[\d.:]+)/.exec(stdout);
      if (match) resolve({ child, url: match[1]!, stderr: () => stderr });
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-serve-'));
  ({ dataDir } = await trainTinyModel(dir, { bars: 700 }));
  await writeFile(join(dir, 'serve.yaml'), 'online: { minSamplesBeforeUpdate: 64, evaluationWindow: 30, evaluationInterval: 30 }\n');
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('grpo-trader export', () => {
  it('writes the policy as ONNX with its shapes; refuses another format with one line', async () => {
    const out = join(dir, 'policy.onnx');
    const written = await run(['export', '--model', join(dir, 'model'), '--format', 'onnx', '--out', out, '--json']);
    expect(written.code, written.err).toBe(0);
    const summary = JSON.parse(written.out) as { file: string; bytes: number; inputs: { observation: (string | number)[] }; outputs: { mean: (string | number)[] } };
    expect(summary.file).toBe(out);
    expect((await readFile(out)).length).toBe(summary.bytes);
    expect(summary.outputs.mean).toEqual(['batch', 3]);
    const bad = await run(['export', '--model', join(dir, 'model'), '--format', 'tflite']);
    expect(bad.code).not.toBe(0);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect(bad.err).toMatch(/only onnx/);
  });
});

describe('grpo-trader serve --live', () => {
  it('resumes after kill -9 with nothing lost: every decision served before the kill is recorded, identical', async () => {
    const state = join(dir, 'live');
    const args = ['--model', join(dir, 'model'), '--port', '0', '--live', `replay:${dataDir}`, '--from', '2011-02-01', '--state', state, '--pace', '4', '--config', join(dir, 'serve.yaml'), '--store', join(dir, 'train.sqlite')];
    const first = await serve(args);
    const served: { date: string; value: number; weights: number[] }[] = [];
    const controller = new AbortController();
    const response = await fetch(`${first.url}/v1/stream`, { signal: controller.signal });
    const reader = response.body!.getReader();
    let buffer = '';
    while (served.length < 60) {
      buffer += new TextDecoder().decode((await reader.read()).value);
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const match = /event: decision\ndata: (.*)/.exec(message);
        if (match) served.push(JSON.parse(match[1]!) as (typeof served)[number]);
      }
    }
    first.child.kill('SIGKILL');
    controller.abort();
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await serve(args);
    expect(second.stderr()).toMatch(/live session resumed/);
    for (;;) {
      const status = (await (await fetch(`${second.url}/v1/online/status`)).json()) as { state: string; bars: number; total: number };
      if (status.state === 'finished') break;
      expect(status.state).toBe('running');
      await new Promise((r) => setTimeout(r, 100));
    }
    second.child.kill('SIGTERM');
    const code = await new Promise((resolve) => second.child.once('exit', resolve));
    expect(code).toBe(0);
    expect(second.stderr()).toMatch(/stopping/);
    const recorded = (await readFile(join(state, 'steps.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { date: string; value: number; weights: number[]; bar: number });
    expect(recorded.map((l) => l.bar)).toEqual(recorded.map((_, k) => recorded[0]!.bar + k));
    const byDate = new Map(recorded.map((l) => [l.date, l]));
    for (const decision of served) {
      const line = byDate.get(decision.date)!;
      expect(line.value).toBe(decision.value);
      expect(line.weights).toEqual(decision.weights);
    }
  }, 180_000);

  it('a live state outlives its store: started again after the store was deleted (or with another --store), it records the rest of the stream as a new run there', async () => {
    const state = join(dir, 'live-store-gone');
    const store = join(dir, 'gone.sqlite');
    const args = ['--model', join(dir, 'model'), '--port', '0', '--live', `replay:${dataDir}`, '--from', '2011-02-01', '--state', state, '--pace', '4', '--config', join(dir, 'serve.yaml'), '--store', store];
    const first = await serve(args);
    const status = async (url: string) => (await (await fetch(`${url}/v1/online/status`)).json()) as { state: string; bars: number; run_id: number };
    while ((await status(first.url)).bars < 30) await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGTERM');
    expect(await new Promise((resolve) => first.child.once('exit', resolve))).toBe(0);
    for (const file of [store, `${store}-wal`, `${store}-shm`]) await rm(file, { force: true });
    // A store holding a run 1 of something else: the saved run id must not be taken for this stream's.
    const other = RunStore.open(store);
    other.finishRun(other.startRun({ kind: 'backtest', name: 'another run', period: { first: '2011-01-03', last: '2011-12-30', bars: 250, split: 'test' }, config: {} }), { status: 'finished' });
    other.close();

    const second = await serve(args);
    expect(second.stderr()).toMatch(/live session resumed/);
    expect(second.stderr()).toMatch(/"msg":"online: the saved stream \(run 1 of [^)]*gone\.sqlite\) is not in [^"]*gone\.sqlite: recording it from \d{4}-\d\d-\d\d on as run 2"/);
    while ((await status(second.url)).state !== 'finished') await new Promise((r) => setTimeout(r, 100));
    expect((await status(second.url)).run_id).toBe(2);
    second.child.kill('SIGTERM');
    expect(await new Promise((resolve) => second.child.once('exit', resolve))).toBe(0);
    const listed = JSON.parse((await run(['runs', 'list', '--store', store, '--json'])).out) as { id: number; kind: string; status: string; series: string[] }[];
    expect(listed.map((r) => [r.id, r.kind, r.status])).toEqual([[2, 'online', 'finished'], [1, 'backtest', 'finished']]);
    expect(listed[0]!.series).toEqual(['online', 'frozen', 'equal_weight']);
    expect(listed[1]!.series).toEqual([]);
  }, 180_000);

  it('refuses bad input with one line', async () => {
    const noFrom = await run(['serve', '--model', join(dir, 'model'), '--live', `replay:${dataDir}`]);
    expect(noFrom.code).not.toBe(0);
    expect(noFrom.err.trim().split('\n')).toHaveLength(1);
    expect(noFrom.err).toMatch(/--live needs --from DATE and --state DIR/);
    const token = await run(['serve', '--model', join(dir, 'model'), '--token-file', join(dir, 'missing-token')]);
    expect(token.err).toMatch(/missing-token.*cannot read the token file/);
    await writeFile(join(dir, 'short-token'), 'abc\n');
    expect((await run(['serve', '--model', join(dir, 'model'), '--token-file', join(dir, 'short-token')])).err).toMatch(/at least 16 characters/);
    expect((await run(['serve', '--demo', '--model', join(dir, 'model')])).err).toMatch(/--demo chooses the model/);
    await writeFile(join(dir, 'bad.yaml'), 'alerts: { maxDrawdown: -1 }\n');
    expect((await run(['serve', '--model', join(dir, 'model'), '--config', join(dir, 'bad.yaml')])).err).toMatch(/bad.yaml.*alerts.maxDrawdown/);
    expect((await run(['serve', '--model', join(dir, 'nope')])).err).toMatch(/no such model directory/);
    const polled = await run(['serve', '--model', join(dir, 'model'), '--live', 'yahoo:AAPL,MSFT', '--from', '2024-01-01', '--state', join(dir, 'never'), '--port', '0']);
    expect(polled.err).toMatch(/the symbols AAPL,MSFT are not the model's \(SYN01,SYN02,SYN03/);
    expect((await run(['serve', '--model', join(dir, 'model'), '--live', 'websocket:x', '--from', '2024-01-01', '--state', join(dir, 'never')])).err).toMatch(/give replay:PATHS/);
    // Every numeric option: out of range is a usage error (64) naming it, before anything is loaded.
    for (const [option, value, message] of [
      ['--port', '99999', '--port must be an integer >= 0 and <= 65535, got "99999"'],
      ['--port', '-1', '--port must be an integer >= 0 and <= 65535, got "-1"'],
      ['--port', '80.5', '--port must be an integer >= 0 and <= 65535, got "80.5"'],
      ['--pace', '1e10', '--pace must be a number >= 0 and <= 2147483647, got "1e10"'],
      ['--poll', '0', '--poll must be a number >= 0.001 and <= 2147483.647, got "0"'],
      ['--poll', 'soon', '--poll must be a number >= 0.001 and <= 2147483.647, got "soon"'],
    ]) {
      const refused = await run(['serve', '--model', join(dir, 'model'), option!, value!]);
      expect(refused.code, `${option} ${value}: ${refused.err}`).toBe(64);
      expect(refused.err).toBe(`grpo-trader: ${message}\n`);
    }
    await writeFile(join(dir, 'slow.yaml'), 'paceMs: 3000000000\n');
    expect((await run(['serve', '--model', join(dir, 'model'), '--config', join(dir, 'slow.yaml')])).err).toMatch(/slow\.yaml.*paceMs/);
    // A port another process holds: one line, not an internal error.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const busy = await run(['serve', '--model', join(dir, 'model'), '--port', String((holder.address() as AddressInfo).port)]);
      expect(busy.code, busy.err).not.toBe(70);
      expect(busy.err.trim().split('\n')).toHaveLength(1);
      expect(busy.err).toMatch(/address already in use 127\.0\.0\.1:\d+/);
    } finally {
      holder.close();
    }
  }, 120_000);

  it('prints each option\'s default once in --help', async () => {
    const help = await run(['serve', '--help']);
    expect(help.out.match(/127\.0\.0\.1/g)).toHaveLength(1);
    expect(help.out).not.toMatch(/\(default[^)]*\)\s*\(default/);
  });
});
