import type { Command } from 'commander';
import { listSnapshots } from '../snapshots/store.ts';
import { command, pathsOf } from './options.ts';

/** Plain-text columns; columns listed in `right` are right-aligned (numbers). */
export function textTable(header: string[], rows: string[][], right: number[] = []): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => (right.includes(k) ? c.padStart(widths[k]) : c.padEnd(widths[k]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export const count = (n: number) => n.toLocaleString('en-US');

export function snapshotsCommand(): Command {
  return command('snapshots', 'list the published snapshots, newest first')
    .option('--json', 'print the manifests as JSON')
    .action(async (opts: { data: string; json?: boolean }) => {
      const manifests = await listSnapshots(pathsOf(opts).snapshots);
      if (opts.json) {
        process.stdout.write(JSON.stringify(manifests, null, 2) + '\n');
        return;
      }
      if (!manifests.length) {
        process.stdout.write(`no snapshots in ${pathsOf(opts).snapshots}\n`);
        return;
      }
      const rows = manifests.map((m) => [m.id, m.asOf, m.createdAt.replace('T', ' ').slice(0, 19), m.source, m.tables.orders ? count(m.tables.orders.rows) : '-']);
      process.stdout.write(textTable(['id', 'as of', 'created (UTC)', 'source', 'orders'], rows, [4]));
    });
}
