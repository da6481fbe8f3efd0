import { Option, type Command } from 'commander';
import { DEFAULTS, generateSample, type Format, type GenerateSummary } from '../sample/generate.ts';
import { command, parseDateOption, parseIntOption, pathsOf } from './options.ts';
import { stageProgress } from './progress.ts';

interface GenerateCliOptions {
  data: string;
  out?: string;
  orders: number;
  months: number;
  end?: string;
  seed: number;
  format: Format;
  dirty: boolean;
}

function printSummary(summary: GenerateSummary): void {
  const lines = [
    `wrote ${Object.keys(summary.tables).length} tables (${summary.format}${summary.dirty ? ', dirty' : ''}) for ${summary.start} – ${summary.end}, seed ${summary.seed}, to ${summary.out} in ${summary.seconds.toFixed(1)} s`,
    ...Object.entries(summary.tables).map(([table, t]) => `  ${table.padEnd(18)} ${String(t.rows).padStart(11)}  ${t.file}`),
  ];
  if (summary.dirty) {
    lines.push('dirty exports (dirty.json): rows in file / clean rows');
    for (const [table, d] of Object.entries(summary.dirty.tables)) lines.push(`  ${table.padEnd(18)} ${String(d.file_rows).padStart(11)} / ${d.clean_rows}  ${d.file}`);
  }
  lines.push(`planted incidents (incidents.json): ${summary.incidents.map((i) => `${i.kind} ${i.start}…${i.end}`).join('; ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function generateCommand(): Command {
  return command('generate', 'write a deterministic sample data set: all canonical tables, with planted incidents')
    .option('--out <dir>', 'folder to write the tables into (default: <data>/sample)')
    .option('--orders <n>', 'number of orders; customers, lines, refunds, complaints, ... scale with it', (v) => parseIntOption(v, '--orders'), DEFAULTS.orders)
    .option('--months <m>', 'length of the period in months, ending with --end', (v) => parseIntOption(v, '--months'), DEFAULTS.months)
    .option('--end <date>', 'last day of the period, YYYY-MM-DD (default: yesterday)', parseDateOption)
    .option('--seed <s>', 'seed of the pseudo-random data: the same seed and options give byte-identical files', (v) => parseIntOption(v, '--seed'), DEFAULTS.seed)
    .addOption(new Option('--format <format>', 'file format of the tables').choices(['csv', 'parquet']).default(DEFAULTS.format))
    .option('--dirty', 'also plant what real platform exports look like (duplicates, odd formats, bad values, a GBK file); dirty tables are written as CSV', false)
    .action(async (opts: GenerateCliOptions) => {
      // a bar on a terminal; elsewhere nothing until the summary
      const bar = process.stderr.isTTY ? stageProgress('generating') : undefined;
      try {
        const summary = await generateSample({
          out: opts.out ?? pathsOf(opts).sample,
          orders: opts.orders,
          months: opts.months,
          end: opts.end,
          seed: opts.seed,
          format: opts.format,
          dirty: opts.dirty,
          onProgress: (p) => bar?.update(p.done, p.total, p.table),
        });
        bar?.stop();
        printSummary(summary);
      } catch (err) {
        bar?.stop();
        throw err;
      }
    });
}
