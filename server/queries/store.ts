// Saved queries: the user-made ones in the app database (every version kept, versions.ts) and
// the shipped ones from queries/*.sql (shipped.ts), behind one visibility rule:
// a private query is seen by its owner (and admins), an 'everyone' or shipped one by every role;
// the owner or an admin may edit it, never a shipped one; analysts and up create.
import type { User } from '../auth/users.ts';
import type { AppDb } from '../db/appdb.ts';
import type { Row } from '../db/duck.ts';
import { fromDbTime, toDbTime } from '../db/time.ts';
import { SavedQueryInput, type SavedQuery, type SavedQueryVersion } from './contract.ts';
import { loadShipped, SHIPPED_PREFIX } from './shipped.ts';
import { format, formatProblem, parse, slug } from './sqlFile.ts';
import { findVersion, insertVersion, listVersions, toVersion, type VersionContent } from './versions.ts';

/** No such query (or it was removed); dashboards.ts uses it for dashboards too. */
export class SavedQueryNotFound extends Error {}
/** The query (or dashboard) exists but this user may not see or change it. */
export class SavedQueryForbidden extends Error {}
/** A refused input; `field` names the offending field. */
export class SavedQueryInvalid extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

export const AUTHOR_ROLES = ['analyst', 'risk_owner', 'admin'] as const;

export const isAuthor = (user: User): boolean => (AUTHOR_ROLES as readonly string[]).includes(user.role);

export interface ListFilter {
  q?: string;
  tag?: string;
  mine?: 'true' | 'false';
}

/** The owner-independent part of the rule: whether a query is shown to every role. */
export const sharedWithEveryone = (q: Pick<SavedQuery, 'visibility' | 'readonly'>): boolean => q.readonly || q.visibility === 'everyone';

/** Whether a query (or a dashboard, never read-only) is shown to this user. */
export const canSee = (q: Pick<SavedQuery, 'visibility' | 'readonly' | 'owner'>, user: User): boolean =>
  sharedWithEveryone(q) || q.owner === user.username || user.role === 'admin';

/** Whether this user may change something `owner` made (shipped queries aside). */
export const mayEdit = (owner: string, user: User): boolean => isAuthor(user) && (owner === user.username || user.role === 'admin');

const content = (input: VersionContent): VersionContent => ({ name: input.name, description: input.description, sql: input.sql, params: input.params, chart: input.chart });

function matches(q: SavedQuery, filter: ListFilter, user: User): boolean {
  if (filter.mine === 'true' && q.owner !== user.username) return false;
  if (filter.tag && !q.tags.includes(filter.tag)) return false;
  const needle = filter.q?.trim().toLowerCase();
  return !needle || [q.name, q.description, q.sql, ...q.tags].some((text) => text.toLowerCase().includes(needle));
}

/** The name of a query's files (export, downloads): a shipped query's own file name, else its name's slug. */
export const fileStem = (query: Pick<SavedQuery, 'id' | 'name' | 'readonly'>): string =>
  query.readonly ? query.id.slice(SHIPPED_PREFIX.length) : slug(query.name, query.id.replace(/[^A-Za-z0-9_-]+/g, '_'));

export class SavedQueries {
  private shipped: Promise<SavedQuery[]> | undefined;

  constructor(private readonly db: AppDb, private readonly queriesDir: string) {}

  private shippedQueries(): Promise<SavedQuery[]> {
    this.shipped ??= loadShipped(this.queriesDir);
    return this.shipped;
  }

  private toQuery(row: Row, user: User): SavedQuery {
    const newest = toVersion(row);
    const owner = String(row.owner);
    return {
      ...content(newest),
      id: String(row.id),
      owner,
      version: newest.version,
      tags: JSON.parse(String(row.tags)) as string[],
      visibility: row.visibility as SavedQuery['visibility'],
      createdAt: fromDbTime(row.created_at as string),
      updatedAt: fromDbTime(row.updated_at as string),
      readonly: false,
      canEdit: mayEdit(owner, user),
    };
  }

  /** The newest version of saved queries (all of them, or one id), removed ones excluded. */
  private async rows(id?: string): Promise<Row[]> {
    return this.db.all(
      `SELECT s.*, v.name, v.description, v.sql, v.params, v.chart, v.saved_at, v.saved_by
       FROM saved_queries s JOIN saved_query_versions v ON v.query_id = s.id AND v.version = s.version
       WHERE NOT s.deleted AND ($id IS NULL OR s.id = $id)
       ORDER BY s.updated_at DESC, s.id`,
      { id: id ?? null },
    );
  }

  /** Saved queries first (newest change first), then the shipped ones by name. */
  async list(user: User, filter: ListFilter = {}): Promise<SavedQuery[]> {
    const saved = (await this.rows()).map((r) => this.toQuery(r, user));
    const shipped = [...(await this.shippedQueries())].sort((a, b) => a.name.localeCompare(b.name));
    return [...saved, ...shipped].filter((q) => canSee(q, user) && matches(q, filter, user));
  }

  /** The query if it exists, whoever may see it. */
  private async find(id: string, user: User): Promise<SavedQuery> {
    const query = id.startsWith(SHIPPED_PREFIX)
      ? (await this.shippedQueries()).find((q) => q.id === id)
      : (await this.rows(id)).map((r) => this.toQuery(r, user))[0];
    if (!query) throw new SavedQueryNotFound(`no saved query '${id}'`);
    return query;
  }

  async get(id: string, user: User): Promise<SavedQuery> {
    const query = await this.find(id, user);
    if (!canSee(query, user)) throw new SavedQueryForbidden(`the query '${id}' is private to its owner`);
    return query;
  }

  /** The query when this user may change it. */
  private async editable(id: string, user: User): Promise<SavedQuery> {
    const query = await this.get(id, user);
    if (query.readonly) throw new SavedQueryForbidden(`'${id}' ships with Vigil and is read-only; save a copy to change it`);
    if (!query.canEdit) throw new SavedQueryForbidden(`only the owner (${query.owner}) or an admin may change '${id}'`);
    return query;
  }

  private static check(input: SavedQueryInput): void {
    const problem = formatProblem(input);
    if (problem) throw new SavedQueryInvalid(problem.field, problem.message);
    const names = input.params.map((p) => p.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new SavedQueryInvalid('params', `the parameter '${twice}' is declared twice`);
  }

  async create(input: SavedQueryInput, user: User): Promise<SavedQuery> {
    if (!isAuthor(user)) throw new SavedQueryForbidden('only analysts, risk owners and admins save queries');
    SavedQueries.check(input);
    const now = new Date().toISOString();
    const id = await this.db.transaction(async (tx) => {
      const [{ n }] = await tx.all<{ n: number }>("SELECT nextval('saved_query_seq') AS n");
      const newId = `q-${n}`;
      await tx.run(
        `INSERT INTO saved_queries (id, owner, visibility, tags, version, created_at, updated_at)
         VALUES ($id, $owner, $visibility, CAST($tags AS JSON), 1, CAST($now AS TIMESTAMP), CAST($now AS TIMESTAMP))`,
        { id: newId, owner: user.username, visibility: input.visibility, tags: JSON.stringify(input.tags), now: toDbTime(now) },
      );
      await insertVersion(tx, newId, 1, content(input), user.username, now);
      return newId;
    });
    return this.get(id, user);
  }

  /** A new version with this content; tags and visibility change in place (they are not versioned). */
  private async save(query: SavedQuery, next: VersionContent, meta: Pick<SavedQuery, 'tags' | 'visibility'>, user: User): Promise<SavedQuery> {
    const now = new Date().toISOString();
    const version = query.version + 1;
    await this.db.transaction(async (tx) => {
      await insertVersion(tx, query.id, version, next, user.username, now);
      await tx.run(
        `UPDATE saved_queries SET version = $version, tags = CAST($tags AS JSON), visibility = $visibility, updated_at = CAST($now AS TIMESTAMP) WHERE id = $id`,
        { id: query.id, version, tags: JSON.stringify(meta.tags), visibility: meta.visibility, now: toDbTime(now) },
      );
    });
    return this.get(query.id, user);
  }

  async update(id: string, input: SavedQueryInput, user: User): Promise<SavedQuery> {
    const query = await this.editable(id, user);
    SavedQueries.check(input);
    return this.save(query, content(input), input, user);
  }

  /** Hidden from every list; its versions stay in the database. */
  async remove(id: string, user: User): Promise<void> {
    await this.editable(id, user);
    await this.db.run('UPDATE saved_queries SET deleted = true, updated_at = CAST($now AS TIMESTAMP) WHERE id = $id', { id, now: toDbTime(new Date()) });
  }

  /** Newest first; a shipped query has its file as its one version. */
  async versions(id: string, user: User): Promise<SavedQueryVersion[]> {
    const query = await this.get(id, user);
    if (query.readonly) return [{ ...content(query), version: 1, savedAt: query.updatedAt, savedBy: query.owner }];
    return listVersions(this.db, id);
  }

  /** Copies version `version` as the newest version; nothing is lost. */
  async restore(id: string, version: number, user: User): Promise<SavedQuery> {
    const query = await this.editable(id, user);
    const old = await findVersion(this.db, id, version);
    if (!old) throw new SavedQueryNotFound(`the query '${id}' has no version ${version} (it has 1…${query.version})`);
    return this.save(query, content({ ...query, ...old }), query, user);
  }

  async exportFile(id: string, user: User): Promise<{ name: string; text: string }> {
    const query = await this.get(id, user);
    return { name: `${fileStem(query)}.sql`, text: format(query) };
  }

  /** A new saved query from a `.sql` file's text (SqlFileError names the line of a problem). */
  async importFile(text: string, user: User): Promise<SavedQuery> {
    return this.create(parse(text), user);
  }
}
