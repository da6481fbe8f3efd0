import type { FastifyInstance } from 'fastify';
import { ALL_ROLES } from '../../auth/roles.ts';
import type { QualityReport } from '../../snapshots/quality.ts';
import { QUALITY, SNAPSHOT_ID, SnapshotNotFound, listSnapshots, readManifest, readSnapshotFile } from '../../snapshots/store.ts';
import type { AppContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { addRoute, z } from '../route.ts';

const SnapshotParams = z.object({ id: z.string().regex(SNAPSHOT_ID, 'not a snapshot id') });

export function snapshotRoutes(app: FastifyInstance, ctx: AppContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/api/snapshots',
    access: ALL_ROLES,
    handler: async () => ({ snapshots: await listSnapshots(ctx.paths.snapshots) }),
  });

  addRoute(app, {
    method: 'GET',
    url: '/api/snapshots/:id/quality',
    access: ALL_ROLES,
    params: SnapshotParams,
    handler: async ({ params }) => {
      try {
        await readManifest(ctx.paths.snapshots, params.id);
        return await readSnapshotFile<QualityReport>(ctx.paths.snapshots, params.id, QUALITY);
      } catch (err) {
        if (err instanceof SnapshotNotFound) throw notFound(err.message);
        throw notFound(`snapshot ${params.id} has no data-quality report`);
      }
    },
  });
}
