import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

/**
 * A production install (`npm ci --omit=dev`, then `npx cairn master`) has only `dependencies`: it
 * must build (the `prepare` script) and run with them alone. Checked statically here, since the
 * test suite does not reach the npm registry: every package the shipped code imports, and every
 * tool the install scripts run, is a dependency (ajv was once imported at run time but declared
 * as a devDependency, so such an install failed on its first request).
 */
const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};
const BUILTINS = new Set(builtinModules);

/** The shipped code: apps and libs, without tests and test support (what runs in production). */
function shippedSources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'testing' && entry.name !== 'node_modules') shippedSources(path, out);
    } else if (/\.ts$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name) && !/test-support\.ts$/.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

/** `pino`, `@nestjs/core` from `pino/file`, `@nestjs/core/x`; undefined for relative and built-in modules. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('@cairn/')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return BUILTINS.has(name) ? undefined : name;
}

const IMPORT =
  /(?:^|\s)(?:import|export)\s(?:type\s)?[^'";]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)|require\(\s*'([^']+)'\s*\)/gm;

function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    if (/^\s*(import|export)\s+type\s/.test(match[0])) continue; // erased at compile time
    const name = packageOf(match[1] ?? match[2] ?? match[3]);
    if (name) found.push(name);
  }
  return found;
}

describe('a production install (npm ci --omit=dev) builds and runs with dependencies alone', () => {
  const files = ['apps', 'libs'].flatMap((top) =>
    readdirSync(join(ROOT, top)).flatMap((name) => shippedSources(join(ROOT, top, name, 'src'))),
  );

  it('every package the shipped code imports at run time is a dependency', () => {
    expect(files.length).toBeGreaterThan(200);
    const missing = files.flatMap((file) =>
      runtimeImports(file)
        .filter((name) => !(name in pkg.dependencies))
        .map((name) => `${relative(ROOT, file)} imports ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('finds what it checks: a devDependency import is caught', () => {
    expect(packageOf('jest/bin/jest')).toBe('jest');
    expect(packageOf('@nestjs/core/router')).toBe('@nestjs/core');
    expect(packageOf('node:fs')).toBeUndefined();
    expect(packageOf('fs/promises')).toBeUndefined();
    expect('jest' in pkg.dependencies).toBe(false);
  });

  it('the install scripts run only tools that are dependencies', () => {
    const tools = ['postinstall', 'prepare', 'build']
      .map((name) => pkg.scripts[name] ?? '')
      .join(' && ')
      .split(/&&|\|\|/)
      .map((command) => command.trim().split(/\s+/)[0])
      .filter((tool) => tool && !['npm', 'node', 'chmod'].includes(tool));
    const byTool: Record<string, string> = {
      tsc: 'typescript',
      'tsc-alias': 'tsc-alias',
      'patch-package': 'patch-package',
    };
    expect(tools.length).toBeGreaterThan(0);
    for (const tool of tools)
      expect({ tool, declared: (byTool[tool] ?? tool) in pkg.dependencies }).toEqual({ tool, declared: true });
    // The build compiles with `types: ["node"]` (tsconfig.build.json).
    expect('@types/node' in pkg.dependencies).toBe(true);
  });
});
