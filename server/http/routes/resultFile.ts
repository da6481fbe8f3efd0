// A query's whole result as a CSV or Parquet attachment: written by the sandbox into a temporary
// folder, streamed, and removed once sent (or once the client went away).
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyReply } from 'fastify';
import type { User } from '../../auth/users.ts';
import type { RunBody } from '../../queries/contract.ts';
import type { QueryRunner } from '../../queries/runner.ts';
import { sandboxAnswer } from './queryRuns.ts';

export type ResultFormat = 'csv' | 'parquet';

const TYPES: Record<ResultFormat, string> = { csv: 'text/csv; charset=utf-8', parquet: 'application/vnd.apache.parquet' };

export async function sendResultFile(runner: QueryRunner, reply: FastifyReply, run: { body: RunBody; user: User; format: ResultFormat; stem: string }): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-download-'));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  let streaming = false;
  try {
    const path = join(dir, `result.${run.format}`);
    const written = await sandboxAnswer(reply, () => runner.toFile(run.body, run.user, run.format, path));
    if (!('rowCount' in written)) return written; // refused; the reply says why
    const stream = createReadStream(path);
    stream.on('close', () => void removeDir());
    streaming = true;
    return reply.type(TYPES[run.format]).header('content-disposition', `attachment; filename="${run.stem}.${run.format}"`).send(stream);
  } finally {
    if (!streaming) await removeDir();
  }
}
