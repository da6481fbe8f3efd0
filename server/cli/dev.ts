import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { command } from './options.ts';
import { viteCli } from './web-build.ts';

/**
 * Two processes that both reload: the API server under `tsx watch`, and Vite's dev server,
 * which proxies /api to it (vite.config.ts).
 */
export function devCommand(): Command {
  return command('dev', 'run the API server (reloading on change) and the Vite dev server together')
    .option('--api-port <port>', 'port of the API server', '8080')
    .action((opts: { data: string; apiPort: string }) => {
      const require = createRequire(import.meta.url);
      const tsx = require.resolve('tsx/cli');
      const cli = fileURLToPath(new URL('../vigil.js', import.meta.url));
      const env = { ...process.env, VIGIL_API_PORT: opts.apiPort };
      const children: ChildProcess[] = [
        spawn(process.execPath, [tsx, 'watch', '--clear-screen=false', cli, 'serve', '--data', opts.data, '--port', opts.apiPort], { stdio: 'inherit', env }),
        spawn(process.execPath, [viteCli(), 'dev'], { stdio: 'inherit', env }),
      ];
      const stop = () => children.forEach((c) => c.kill('SIGTERM'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      for (const child of children) child.on('exit', stop);
    });
}
