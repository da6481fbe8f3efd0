import type { Command } from 'commander';
import { backupCommand, restoreCommand } from './backup.ts';
import { devCommand } from './dev.ts';
import { evaluateCommand } from './evaluate.ts';
import { generateCommand } from './generate.ts';
import { ingestCommand } from './ingest.ts';
import { kpiCommand } from './kpi.ts';
import { queryCommand } from './query.ts';
import { segmentsCommand } from './segments.ts';
import { serveCommand } from './serve.ts';
import { snapshotsCommand } from './snapshots.ts';
import { staffCommand } from './staff.ts';
import { startCommand } from './start.ts';

/** Each command lives in its own module and is listed here. */
export function commands(): Command[] {
  return [
    startCommand(),
    serveCommand(),
    devCommand(),
    ingestCommand(),
    snapshotsCommand(),
    generateCommand(),
    kpiCommand(),
    segmentsCommand(),
    queryCommand(),
    evaluateCommand(),
    staffCommand(),
    backupCommand(),
    restoreCommand(),
  ];
}
