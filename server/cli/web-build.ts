import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const SOURCES = ['web', 'svelte.config.js', 'vite.config.ts'];

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), info.mtimeMs);
}

/** True when build/ is missing or older than any source of the web app. */
export function webBuildIsStale(root = process.cwd()): boolean {
  const index = join(root, 'build', 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((s) => existsSync(join(root, s)) && newestMtime(join(root, s)) > built);
}

/** Vite's CLI script; its package exports only package.json, so the bin path is read from there. */
export function viteCli(): string {
  const manifest = createRequire(import.meta.url).resolve('vite/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: { vite: string } };
  return join(dirname(manifest), bin.vite);
}

/** Runs Vite's own CLI with the given arguments, inheriting the terminal. */
function runVite(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const vite = viteCli();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, ...args], { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite ${args.join(' ')} exited with code ${code}`))));
  });
}

export async function buildWebIfStale(): Promise<void> {
  if (!webBuildIsStale()) return;
  process.stdout.write('Building the web app...\n');
  // a production build even when called from the tests, whose NODE_ENV=test would pull in dev-only code
  await runVite(['build', '--logLevel', 'warn'], { ...process.env, NODE_ENV: 'production' });
}
