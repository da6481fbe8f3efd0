import type { Command } from 'commander';
import type { NewUser } from '../auth/users.ts';
import { AppDbLocked } from '../db/appdb.ts';
import { NoAdminAccount } from '../auth/bootstrap.ts';
import { closeOnSignals, startServer } from '../http/server.ts';
import type { DataPaths } from '../config.ts';
import { command, fail, parseIntOption, pathsOf } from './options.ts';
import { askAdminAccount } from './prompt.ts';

export interface ListenOptions {
  data: string;
  port: string;
  host: string;
}

export function addListenOptions(cmd: Command): Command {
  return cmd
    .option('--port <port>', 'port to listen on', process.env.PORT ?? '8080')
    .option('--host <host>', 'address to listen on', process.env.HOST ?? '0.0.0.0');
}

export function printSignIns(url: string, users: readonly NewUser[]): void {
  process.stdout.write(`\nVigil is running at ${url}\n`);
  if (users.length === 0) return;
  process.stdout.write('Demo sign-ins (sample data):\n');
  for (const u of users) process.stdout.write(`  ${u.role.padEnd(11)} ${u.username.padEnd(8)} ${u.password}\n`);
}

/** Starts the server for `serve` and `start`, turning known start-up failures into one-line reasons. */
export async function serveData(paths: DataPaths, opts: ListenOptions): Promise<void> {
  try {
    const server = await startServer({
      paths,
      port: parseIntOption(opts.port, '--port'),
      host: opts.host,
      askAdmin: process.stdin.isTTY ? askAdminAccount : undefined,
    });
    closeOnSignals(server);
    printSignIns(server.url, server.demoUsers);
  } catch (err) {
    if (err instanceof AppDbLocked || err instanceof NoAdminAccount) fail(err.message);
    if (err instanceof Error && 'code' in err && err.code === 'EADDRINUSE') fail(`port ${opts.port} is already in use; choose another with --port or PORT`);
    throw err;
  }
}

export function serveCommand(): Command {
  return addListenOptions(command('serve', 'start the web server on the data folder'))
    .action(async (opts: ListenOptions) => serveData(pathsOf(opts), opts));
}
