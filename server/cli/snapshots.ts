import type { Command } from 'commander';
import { damagedParts, listSnapshots } from '../snapshots/store.ts';
import { command, pathsOf } from './options.ts';

/** Plain-text columns; columns listed in `right` are right-aligned (numbers). */
/** Terminal columns a string takes: CJK and full-width characters take two. */
const displayWidth = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);

const pad = (s: string, width: number, right: boolean) => {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
};

export function textTable(header: string[], rows: string[][], right: number[] = []): string {
  const widths = header.map((h, k) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[k]))));
  const line = (cells: string[]) => cells.map((c, k) => pad(c, widths[k], right.includes(k))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export const count = (n: number) => n.toLocaleString('en-US');

export function snapshotsCommand(): Command {
  return command('snapshots', 'list the published snapshots, newest first')
    .option('--json', 'print the manifests as JSON')
    .option('--verify', 'check every file against the checksum in its manifest; exits non-zero when a snapshot is damaged')
    .action(async (opts: { data: string; json?: boolean; verify?: boolean }) => {
      const root = pathsOf(opts).snapshots;
      const manifests = await listSnapshots(root);
      const damaged = new Map<string, string[]>();
      if (opts.verify) for (const m of manifests) damaged.set(m.id, await damagedParts(root, m));
      if (manifests.some((m) => damaged.get(m.id)?.length)) process.exitCode = 1;
      if (opts.json) {
        const listed = opts.verify ? manifests.map((m) => ({ ...m, damaged: damaged.get(m.id) })) : manifests;
        process.stdout.write(JSON.stringify(listed, null, 2) + '\n');
        return;
      }
      if (!manifests.length) {
        process.stdout.write(`no snapshots in ${root}\n`);
        return;
      }
      const check = (id: string) => (damaged.get(id)!.length ? `damaged: ${damaged.get(id)!.join(', ')}` : 'ok');
      const rows = manifests.map((m) => [m.id, m.asOf, m.createdAt.replace('T', ' ').slice(0, 19), m.source, m.tables.orders ? count(m.tables.orders.rows) : '-', ...(opts.verify ? [check(m.id)] : [])]);
      process.stdout.write(textTable(['id', 'as of', 'created (UTC)', 'source', 'orders', ...(opts.verify ? ['files'] : [])], rows, [4]));
    });
}
