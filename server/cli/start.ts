import type { Command } from 'commander';
import type { DataPaths } from '../config.ts';
import type { AppDb } from '../db/appdb.ts';
import { DEMO_SETTING } from '../http/server.ts';
import { generateSample } from '../sample/generate.ts';
import { ingest } from '../snapshots/ingest.ts';
import { listSnapshots } from '../snapshots/store.ts';
import { command, openAppDbOrFail, parseIntOption, pathsOf } from './options.ts';
import { stageProgress } from './progress.ts';
import { addListenOptions, serveData, type ListenOptions } from './serve.ts';
import { buildWebIfStale } from './web-build.ts';

/** Generates sample exports into the data folder, ingests them, and marks the folder as a demo. */
export async function prepareSampleData(paths: DataPaths, orders: number, db: AppDb): Promise<void> {
  process.stdout.write(`No snapshot in ${paths.root} yet: generating sample data (${orders.toLocaleString('en')} orders) and ingesting it.\n`);
  const generating = stageProgress('Generating');
  const generated = await generateSample({ out: paths.sample, orders, onProgress: (p) => generating.update(p.done, p.total, p.table) });
  generating.stop();
  const ingesting = stageProgress('Ingesting');
  const result = await ingest({ input: paths.sample, snapshotsRoot: paths.snapshots, onProgress: (p) => ingesting.note(`${p.step} ${p.detail}`) });
  ingesting.stop();
  await db.setSetting(DEMO_SETTING, 'true');
  process.stdout.write(`Sample data ready in ${generated.seconds.toFixed(1)} s; snapshot ${result.manifest.id} as of ${result.manifest.asOf}.\n`);
}

export function startCommand(): Command {
  return addListenOptions(command('start', 'build the web app if needed, prepare sample data when no snapshot exists, and serve'))
    .option('--orders <n>', 'orders in the sample data made on first start', '200000')
    .action(async (opts: ListenOptions & { orders: string }) => {
      const paths = pathsOf(opts);
      // opened first, so that a database held by another process stops the start before a web build or sample data
      const db = await openAppDbOrFail(paths);
      try {
        if ((await listSnapshots(paths.snapshots)).length === 0) await prepareSampleData(paths, parseIntOption(opts.orders, '--orders'), db);
      } finally {
        await db.close();
      }
      await buildWebIfStale();
      await serveData(paths, opts);
    });
}
