import type { Command } from 'commander';
import { ingest, IngestError, type IngestResult } from '../snapshots/ingest.ts';
import { command, fail, parseDateOption, pathsOf } from './options.ts';
import { stageProgress } from './progress.ts';
import { count, textTable } from './snapshots.ts';

function reasons(r: Record<string, number>): string {
  return Object.entries(r).map(([reason, n]) => `${reason} ${count(n)}`).join(', ');
}

function report({ manifest, quality }: IngestResult): string {
  const out = [`published snapshot ${manifest.id} (as of ${manifest.asOf}, source ${manifest.source})\n`];
  for (const s of quality.sources ?? []) {
    out.push(`${s.file}: ${count(s.read)} lines read, ${count(s.accepted)} accepted, ${count(s.rejected)} rejected${s.rejected ? ` (${reasons(s.reasons)})` : ''}\n`);
  }
  const rows = quality.tables.map((t) => [t.table, count(t.read), count(t.accepted), count(t.rejected), reasons(t.reasons)]);
  out.push(textTable(['table', 'read', 'accepted', 'rejected', 'reasons'], rows, [1, 2, 3]));
  if (quality.missingTables.length) out.push(`missing tables: ${quality.missingTables.join(', ')}\n`);
  for (const w of quality.warnings) out.push(`warning: ${w}\n`);
  return out.join('');
}

export function ingestCommand(): Command {
  return command('ingest', 'import a folder of platform exports as a new snapshot')
    .argument('<dir>', 'folder with one file per table: <table>.csv, .csv.gz, .jsonl, .json or .parquet')
    .option('--mapping <file>', 'mapping of files, headers and values onto the canonical tables (default: DIR/mapping.json if present)')
    .option('--as-of <date>', 'the snapshot date, YYYY-MM-DD (default: the date of the newest order)', parseDateOption)
    .option('--json', 'print the manifest and the quality report as JSON')
    .action(async (dir: string, opts: { data: string; mapping?: string; asOf?: string; json?: boolean }) => {
      // progress only on a terminal: in pipes and logs stderr carries just the one-line reason
      const progress = process.stderr.isTTY ? stageProgress('ingesting') : undefined;
      try {
        const result = await ingest({
          input: dir,
          snapshotsRoot: pathsOf(opts).snapshots,
          mapping: opts.mapping,
          asOf: opts.asOf,
          onProgress: progress && (({ step, detail }) => progress.note(`${step} ${detail}`)),
        });
        progress?.stop();
        process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : report(result));
      } catch (err) {
        progress?.stop();
        if (err instanceof IngestError) fail(err.message);
        throw err;
      }
    });
}
