/**
 * A headless Chromium (Debian's `chromium` package) for PNG images of the report's charts and for
 * checking that the page renders without errors. Found via `$CHROMIUM_PATH` or on the PATH.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GrpoTraderError, ErrorCodes } from '../../core/errors.js';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** Path of a Chromium executable, or undefined when none is installed. */
export function findChromium(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = environment.CHROMIUM_PATH;
  if (configured && existsSync(configured)) return configured;
  for (const directory of (environment.PATH ?? '').split(delimiter)) {
    for (const name of CANDIDATES) {
      const path = join(directory, name);
      if (directory && existsSync(path)) return path;
    }
  }
  return undefined;
}

function requireChromium(): string {
  const path = findChromium();
  if (!path) throw new GrpoTraderError(ErrorCodes.unsupported, 'no Chromium found for PNG images or the page check (install Debian\'s chromium or set CHROMIUM_PATH)');
  return path;
}

function run(executable: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(executable, args, { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new GrpoTraderError(ErrorCodes.io, `chromium failed: ${error.message.split('\n')[0]}`, { details: stderr, cause: error }));
      else resolve({ stdout, stderr });
    });
  });
}

const BASE_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--hide-scrollbars', '--no-first-run', '--disable-extensions', '--mute-audio', '--user-data-dir='];

/** Screenshot an HTML file at the given size into a PNG. */
export async function screenshot(htmlPath: string, pngPath: string, width: number, height: number, timeoutMs = 60_000): Promise<void> {
  const profile = `${pngPath}.profile`;
  await run(requireChromium(), [...BASE_ARGS.slice(0, -1), `--user-data-dir=${profile}`, `--window-size=${width},${height}`, '--virtual-time-budget=5000', `--screenshot=${pngPath}`, pathToFileURL(htmlPath).href], timeoutMs);
  const { rm } = await import('node:fs/promises');
  await rm(profile, { recursive: true, force: true });
}

export interface PageCheck {
  ok: boolean;
  /** `data-render-status` the page set on <body> ("ok" when every chart rendered). */
  renderStatus: string | undefined;
  /** Errors the page's own handler counted. */
  pageErrors: number;
  /** Console messages at warning level or above, and uncaught exceptions, from Chromium's log. */
  consoleErrors: string[];
  /** How many charts (ECharts canvases) were drawn. */
  canvases: number;
  /** Every attribute of the rendered <body> (pages report what they showed there, e.g. data-decisions). */
  bodyAttributes: Record<string, string>;
}

/**
 * Load a page (an HTML file, or an http(s) URL such as the server's dashboard) in headless Chromium, let its scripts run, and read back the rendered DOM and the console
 * log: the page is fine when it reports `data-render-status="ok"`, no errors, and the log has none.
 */
export async function checkPageInChromium(htmlPath: string, timeoutMs = 120_000): Promise<PageCheck> {
  const isUrl = /^https?:\/\//.test(htmlPath);
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const profile = isUrl ? await mkdtemp(join(tmpdir(), 'grpo-chromium-')) : `${htmlPath}.check-profile`;
  try {
    const { stdout, stderr } = await run(
      requireChromium(),
      [...BASE_ARGS.slice(0, -1), `--user-data-dir=${profile}`, '--window-size=1280,2000',
        // A served page may hold a stream open (server-sent events), which virtual time would wait on for ever.
        isUrl ? '--timeout=5000' : '--virtual-time-budget=10000', '--enable-logging=stderr', '--v=0', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--dump-dom', isUrl ? htmlPath : pathToFileURL(htmlPath).href],
      timeoutMs,
    );
    const bodyTag = /<body[^>]*>/.exec(stdout)?.[0] ?? '';
    const renderStatus = /data-render-status="([^"]*)"/.exec(bodyTag)?.[1];
    const pageErrors = Number(/data-errors="(\d+)"/.exec(bodyTag)?.[1] ?? '0');
    const consoleErrors = stderr
      .split('\n')
      .filter((line) => /CONSOLE/.test(line) && /(error|warn|Uncaught)/i.test(line) || /Uncaught/.test(line));
    const canvases = (stdout.match(/<canvas/g) ?? []).length;
    const bodyAttributes = Object.fromEntries([...bodyTag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    return { ok: renderStatus === 'ok' && pageErrors === 0 && consoleErrors.length === 0, renderStatus, pageErrors, consoleErrors, canvases, bodyAttributes };
  } finally {
    const { rm } = await import('node:fs/promises');
    await rm(profile, { recursive: true, force: true });
  }
}
