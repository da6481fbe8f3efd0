// Dashboards of pinned saved queries. A dashboard is seen like a query (private: owner and
// admins; everyone: every role) and its tiles may only point at queries its owner can see; one
// shared with everyone may only hold queries every role can see, so that sharing a dashboard
// never shows anyone a private query. Reading drops tiles whose query is gone or hidden from the reader.
import { findUser, type User } from '../auth/users.ts';
import type { AppDb } from '../db/appdb.ts';
import type { Row } from '../db/duck.ts';
import { fromDbTime, toDbTime } from '../db/time.ts';
import type { Dashboard, DashboardInput, DashboardTile, QueryParam } from './contract.ts';
import { canSee, isAuthor, mayEdit, SavedQueries, SavedQueryForbidden, SavedQueryInvalid, SavedQueryNotFound, sharedWithEveryone } from './store.ts';

export class Dashboards {
  constructor(private readonly db: AppDb, private readonly queries: SavedQueries) {}

  private async rows(id?: string): Promise<Row[]> {
    return this.db.all('SELECT * FROM dashboards WHERE $id IS NULL OR id = $id ORDER BY updated_at DESC, id', { id: id ?? null });
  }

  private static visible(row: Row, user: User): boolean {
    return canSee({ visibility: row.visibility as Dashboard['visibility'], owner: String(row.owner), readonly: false }, user);
  }

  /** The tiles whose query this user can still see. */
  private async visibleTiles(tiles: DashboardTile[], user: User): Promise<DashboardTile[]> {
    const hidden = (err: unknown) => {
      if (err instanceof SavedQueryNotFound || err instanceof SavedQueryForbidden) return false;
      throw err;
    };
    const kept = await Promise.all(tiles.map((t) => this.queries.get(t.queryId, user).then(() => true, hidden)));
    return tiles.filter((_, i) => kept[i]);
  }

  private async toDashboard(row: Row, user: User): Promise<Dashboard> {
    const owner = String(row.owner);
    return {
      id: String(row.id),
      name: String(row.name),
      description: String(row.description),
      owner,
      visibility: row.visibility as Dashboard['visibility'],
      params: JSON.parse(String(row.params)) as QueryParam[],
      tiles: await this.visibleTiles(JSON.parse(String(row.tiles)) as DashboardTile[], user),
      createdAt: fromDbTime(row.created_at as string),
      updatedAt: fromDbTime(row.updated_at as string),
      canEdit: mayEdit(owner, user),
    };
  }

  async list(user: User): Promise<Dashboard[]> {
    const rows = (await this.rows()).filter((r) => Dashboards.visible(r, user));
    return Promise.all(rows.map((r) => this.toDashboard(r, user)));
  }

  async get(id: string, user: User): Promise<Dashboard> {
    const [row] = await this.rows(id);
    if (!row) throw new SavedQueryNotFound(`no dashboard '${id}'`);
    if (!Dashboards.visible(row, user)) throw new SavedQueryForbidden(`the dashboard '${id}' is private to its owner`);
    return this.toDashboard(row, user);
  }

  /** Every tile's query is visible to the owner, and to every role when the dashboard is shared. */
  private async checkTiles(input: DashboardInput, owner: User): Promise<void> {
    for (const [i, tile] of input.tiles.entries()) {
      const field = `tiles.${i}.queryId`;
      let query;
      try {
        query = await this.queries.get(tile.queryId, owner);
      } catch (err) {
        if (err instanceof SavedQueryNotFound || err instanceof SavedQueryForbidden) throw new SavedQueryInvalid(field, `tile ${i + 1}: ${err.message}`);
        throw err;
      }
      if (input.visibility === 'everyone' && !sharedWithEveryone(query)) {
        throw new SavedQueryInvalid(field, `tile ${i + 1}: the query '${query.name}' (${query.id}) is private, so a dashboard shared with everyone cannot show it; share the query with everyone first`);
      }
    }
  }

  async create(input: DashboardInput, user: User): Promise<Dashboard> {
    if (!isAuthor(user)) throw new SavedQueryForbidden('only analysts, risk owners and admins make dashboards');
    await this.checkTiles(input, user);
    const now = toDbTime(new Date());
    const id = await this.db.transaction(async (tx) => {
      const [{ n }] = await tx.all<{ n: number }>("SELECT nextval('dashboard_seq') AS n");
      const newId = `d-${n}`;
      await tx.run(
        `INSERT INTO dashboards (id, name, description, owner, visibility, params, tiles, created_at, updated_at)
         VALUES ($id, $name, $description, $owner, $visibility, CAST($params AS JSON), CAST($tiles AS JSON), CAST($now AS TIMESTAMP), CAST($now AS TIMESTAMP))`,
        { id: newId, owner: user.username, now, ...Dashboards.columns(input) },
      );
      return newId;
    });
    return this.get(id, user);
  }

  private static columns(input: DashboardInput) {
    return { name: input.name, description: input.description, visibility: input.visibility, params: JSON.stringify(input.params), tiles: JSON.stringify(input.tiles) };
  }

  private async editable(id: string, user: User): Promise<Dashboard> {
    const dashboard = await this.get(id, user);
    if (!dashboard.canEdit) throw new SavedQueryForbidden(`only the owner (${dashboard.owner}) or an admin may change the dashboard '${id}'`);
    return dashboard;
  }

  /** Tiles are checked against the owner's sight, also when an admin edits someone's dashboard. */
  async update(id: string, input: DashboardInput, user: User): Promise<Dashboard> {
    const dashboard = await this.editable(id, user);
    const owner = dashboard.owner === user.username ? user : await findUser(this.db, dashboard.owner);
    if (!owner) throw new SavedQueryInvalid('owner', `the dashboard's owner '${dashboard.owner}' is no longer an enabled user`);
    await this.checkTiles(input, owner);
    await this.db.run(
      `UPDATE dashboards SET name = $name, description = $description, visibility = $visibility, params = CAST($params AS JSON), tiles = CAST($tiles AS JSON),
       updated_at = CAST($now AS TIMESTAMP) WHERE id = $id`,
      { id, now: toDbTime(new Date()), ...Dashboards.columns(input) },
    );
    return this.get(id, user);
  }

  async remove(id: string, user: User): Promise<void> {
    await this.editable(id, user);
    await this.db.run('DELETE FROM dashboards WHERE id = $id', { id });
  }
}
