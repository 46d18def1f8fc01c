/**
 * The Node versions we declare (`engines.node` in package.json, "Node ≥ …" in the README) are ones
 * every installed package supports: npm prints `EBADENGINE` for any package in package-lock.json
 * whose own `engines.node` excludes the running Node, so a package that excludes our declared
 * minimum would greet a newcomer on that Node with a warning (and may not run there).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// semver is npm's own range semantics (a devDependency; see docs/dependencies.md); it ships no types.
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

const root = new URL('../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: Record<string, string> | string[]; dev?: boolean; optional?: boolean }>;
};

describe('declared Node versions', () => {
  const minimum = semver.minVersion(manifest.engines.node)?.version;

  it('every package in package-lock.json supports our lowest declared Node', () => {
    expect(minimum).toBeDefined();
    const excluding = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && !Array.isArray(entry.engines) && typeof entry.engines?.['node'] === 'string')
      .filter(([, entry]) => !semver.satisfies(minimum!, (entry.engines as Record<string, string>)['node']!))
      .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')}@${entry.version} (${entry.dev ? 'dev' : 'production'}${entry.optional ? ', optional' : ''}) needs node ${(entry.engines as Record<string, string>)['node']}`);
    expect(excluding, `engines.node ${manifest.engines.node} (from ${minimum})`).toEqual([]);
  });

  it('the README states the same minimum, and this Node satisfies it', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    expect(readme).toContain(`Node ≥ ${minimum!.replace(/\.0$/, '')}.`);
    expect(semver.satisfies(process.versions.node, manifest.engines.node)).toBe(true);
  });
});
