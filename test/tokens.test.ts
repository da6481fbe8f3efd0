import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_PREFIX, type CreateToken, type CreateTokenReply, type TokenInfo } from '../server/auth/accountContract.ts';
import { createToken, listTokens, revokeTokensOf, tokenUser } from '../server/auth/tokens.ts';
import { createUser, findUser, type User } from '../server/auth/users.ts';
import { ident } from '../server/db/duck.ts';
import { injectAs, makeTestApp, type TestApp } from './helpers/app.ts';

const CSRF = { 'x-vigil-csrf': '1' };
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const spec = (over: Partial<CreateToken> = {}): CreateToken => ({ name: 'script', role: 'analyst', readOnly: false, expiresInDays: 30, ...over });

describe('API tokens', () => {
  let t: TestApp;
  let adminCookie: Record<string, string>;
  let admin: User;
  let userCount = 0;

  beforeAll(async () => {
    t = await makeTestApp();
    adminCookie = await t.cookieFor('admin');
    admin = (await findUser(t.ctx.db, 'admin'))!;
  });
  afterAll(async () => t.close());

  async function createViaApi(cookies: Record<string, string>, body: Partial<CreateToken>): Promise<CreateTokenReply> {
    const res = await t.app.inject({ method: 'POST', url: '/api/account/tokens', cookies, headers: CSRF, payload: body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<CreateTokenReply>();
  }

  /** A fresh account, so tests that disable or demote a creator leave the demo users alone. */
  async function freshUser(role: User['role']): Promise<User> {
    userCount += 1;
    return createUser(t.ctx.db, { username: `tok-user-${userCount}`, displayName: 'Token test', role, pii: false, password: 'a-long-unguessable-pass-42' });
  }

  /** Every row of every table in the app DB, as text, in which `needle` occurs. */
  async function rowsContaining(needle: string): Promise<string[]> {
    const tables = await t.ctx.db.all<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_type = 'BASE TABLE'`);
    expect(tables.map((r) => r.name)).toEqual(expect.arrayContaining(['api_tokens', 'audit_log']));
    const hits: string[] = [];
    for (const { name } of tables) {
      const rows = await t.ctx.db.all<{ row: string }>(`SELECT CAST(t AS VARCHAR) AS row FROM ${ident(name)} t WHERE contains(CAST(t AS VARCHAR), $needle)`, { needle });
      hits.push(...rows.map((r) => `${name}: ${r.row}`));
    }
    return hits;
  }

  /** The audit hook writes after the reply is sent; wait until the row for `action` is there. */
  async function auditRow(action: string): Promise<{ username: string | null; detail: string }> {
    for (;;) {
      const row = await t.ctx.db.one<{ username: string | null; detail: string }>(
        'SELECT username, CAST(detail AS VARCHAR) AS detail FROM audit_log WHERE action = $action ORDER BY id DESC LIMIT 1', { action },
      );
      if (row) return row;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('shows the secret once: never in the lists, and only its sha256 is stored anywhere', async () => {
    const created = await createViaApi(adminCookie, { name: 'nightly export', role: 'risk_owner', readOnly: true, expiresInDays: 7 });
    expect(created.token.startsWith(TOKEN_PREFIX)).toBe(true);
    // 32 random bytes in base64url after the prefix
    expect(created.token.slice(TOKEN_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.info).toMatchObject({ username: 'admin', name: 'nightly export', role: 'risk_owner', readOnly: true, lastUsedAt: null, revokedAt: null });
    expect(created.info.id).toMatch(/^[0-9a-f]{12}$/);
    expect(Date.parse(created.info.expiresAt!) - Date.parse(created.info.createdAt)).toBe(7 * 24 * 60 * 60 * 1000);

    const own = await t.app.inject({ method: 'GET', url: '/api/account/tokens', cookies: adminCookie });
    const all = await t.app.inject({ method: 'GET', url: '/api/admin/tokens', cookies: adminCookie });
    for (const res of [own, all]) {
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(created.token);
      expect(res.json<{ tokens: TokenInfo[] }>().tokens.find((x) => x.id === created.info.id)).toEqual(created.info);
    }

    const stored = await t.ctx.db.one<{ token_hash: string }>('SELECT token_hash FROM api_tokens WHERE id = $id', { id: created.info.id });
    expect(stored?.token_hash).toBe(sha256(created.token));
    expect(await auditRow('POST /api/account/tokens')).toMatchObject({ username: 'admin' });
    expect(await rowsContaining(created.token.slice(TOKEN_PREFIX.length))).toEqual([]);
    // the scan does see stored values: the hash is found, in the token's row only
    expect(await rowsContaining(sha256(created.token))).toEqual([expect.stringMatching(/^api_tokens: /)]);
  });

  it('refuses a token with a higher role than its creator, and accepts one up to it', async () => {
    const analystCookie = await t.cookieFor('analyst');
    const res = await t.app.inject({ method: 'POST', url: '/api/account/tokens', cookies: analystCookie, headers: CSRF, payload: spec({ role: 'admin' }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/^a token cannot have a higher role than its creator \(/);
    expect((await listTokens(t.ctx.db, { username: 'analyst' })).map((x) => x.name)).not.toContain(spec().name);
    const same = await createViaApi(analystCookie, { name: 'as analyst', role: 'analyst' });
    expect(same.info.role).toBe('analyst');
  });

  it('acts as its creator with the token role: an admin\'s analyst token cannot change the risk matrix', async () => {
    const { token } = await createViaApi(adminCookie, spec({ role: 'analyst' }));
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json().user).toMatchObject({ username: 'admin', role: 'analyst' });

    const matrix = await t.app.inject({ method: 'GET', url: '/api/risk/matrix', cookies: adminCookie });
    expect(matrix.statusCode).toBe(200);
    const put = await t.app.inject({ method: 'PUT', url: '/api/risk/matrix', headers: bearer(token), payload: matrix.json() });
    expect(put.statusCode).toBe(403);
    expect(put.json().error).toBe('your role (analyst) may not do this');
    // the admin's own session may, so the refusal came from the token's role
    const asAdmin = await t.app.inject({ method: 'PUT', url: '/api/risk/matrix', cookies: adminCookie, headers: CSRF, payload: matrix.json() });
    expect(asAdmin.statusCode, asAdmin.body).toBe(200);
  });

  it('a bearer request needs no CSRF header and writes as the creator', async () => {
    const { token } = await createViaApi(adminCookie, spec({ role: 'analyst' }));
    const res = await t.app.inject({ method: 'POST', url: '/api/queries', headers: bearer(token), payload: { name: 'from a script', sql: 'SELECT 1 AS one' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ owner: 'admin', name: 'from a script' });
    // the same request with the admin's cookie and no CSRF header is refused: only the token is exempt
    const cookieOnly = await t.app.inject({ method: 'POST', url: '/api/queries', cookies: adminCookie, payload: { name: 'x', sql: 'SELECT 1' } });
    expect(cookieOnly.statusCode).toBe(403);
  });

  it('a read-only token reads but refuses every other method', async () => {
    const { token } = await createViaApi(adminCookie, spec({ role: 'admin', readOnly: true }));
    const read = await t.app.inject({ method: 'GET', url: '/api/admin/audit', headers: bearer(token) });
    expect(read.statusCode).toBe(200);
    const writes = [['POST', '/api/queries'], ['PUT', '/api/risk/matrix'], ['PATCH', '/api/risk/risks/x'], ['DELETE', '/api/queries/x']] as const;
    for (const [method, url] of writes) {
      const res = await t.app.inject({ method, url, headers: bearer(token), payload: {} });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('this API token is read-only');
    }
  });

  it('records when it was last used, at most once a minute', async () => {
    const created = await createViaApi(adminCookie, spec());
    const res = await t.app.inject({ method: 'GET', url: '/api/risk/matrix', headers: bearer(created.token) });
    expect(res.statusCode).toBe(200);
    const [used] = (await listTokens(t.ctx.db, { username: 'admin' })).filter((x) => x.id === created.info.id);
    expect(used.lastUsedAt).not.toBeNull();
    const first = Date.parse(used.lastUsedAt!);
    expect(first).toBeGreaterThanOrEqual(Date.parse(created.info.createdAt));

    const lastUsed = async () => (await listTokens(t.ctx.db)).find((x) => x.id === created.info.id)!.lastUsedAt;
    expect(await tokenUser(t.ctx.db, created.token, first + 30_000)).toBeDefined();
    expect(await lastUsed()).toBe(used.lastUsedAt);
    expect(await tokenUser(t.ctx.db, created.token, first + 61_000)).toBeDefined();
    expect(await lastUsed()).toBe(new Date(first + 61_000).toISOString());
  });

  it('expires after its days; a token made with no expiry keeps working', async () => {
    const day = 24 * 60 * 60 * 1000;
    const made = Date.now() - 3 * day;
    const expired = await createToken(t.ctx.db, admin, spec({ expiresInDays: 2 }), made);
    expect(await tokenUser(t.ctx.db, expired.token, made + 2 * day - 1000)).toBeDefined();
    expect(await tokenUser(t.ctx.db, expired.token, made + 2 * day)).toBeUndefined();
    const res = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(expired.token) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toBe('invalid or revoked API token');

    const forever = await createToken(t.ctx.db, admin, spec({ expiresInDays: null }), made);
    expect(forever.info.expiresAt).toBeNull();
    expect(await tokenUser(t.ctx.db, forever.token, made + 3650 * day)).toBeDefined();
  });

  it('once revoked is refused; a user revokes only their own, an admin anyone\'s', async () => {
    const analystCookie = await t.cookieFor('analyst');
    const mine = await createViaApi(analystCookie, spec({ name: 'analyst script' }));
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(mine.token) })).statusCode).toBe(200);

    const adminsOwn = await createViaApi(adminCookie, spec());
    const other = await t.app.inject({ method: 'DELETE', url: `/api/account/tokens/${adminsOwn.info.id}`, cookies: analystCookie, headers: CSRF });
    expect(other.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(adminsOwn.token) })).statusCode).toBe(200);

    const revoke = await t.app.inject({ method: 'DELETE', url: `/api/account/tokens/${mine.info.id}`, cookies: analystCookie, headers: CSRF });
    expect(revoke.statusCode).toBe(204);
    const refused = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(mine.token) });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toBe('invalid or revoked API token');
    const listed = await t.app.inject({ method: 'GET', url: '/api/account/tokens', cookies: analystCookie });
    const info = listed.json<{ tokens: TokenInfo[] }>().tokens;
    expect(info.every((x) => x.username === 'analyst')).toBe(true);
    expect(info.find((x) => x.id === mine.info.id)?.revokedAt).not.toBeNull();

    const byAdmin = await t.app.inject({ method: 'DELETE', url: `/api/admin/tokens/${adminsOwn.info.id}`, cookies: adminCookie, headers: CSRF });
    expect(byAdmin.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(adminsOwn.token) })).statusCode).toBe(401);
    const unknown = await t.app.inject({ method: 'DELETE', url: '/api/admin/tokens/000000000000', cookies: adminCookie, headers: CSRF });
    expect(unknown.statusCode).toBe(404);
  });

  it('lists newest first, revoked ones included', async () => {
    const user = await freshUser('analyst');
    const start = Date.now();
    const older = await createToken(t.ctx.db, user, spec({ name: 'older' }), start);
    const newer = await createToken(t.ctx.db, user, spec({ name: 'newer' }), start + 1000);
    await revokeTokensOf(t.ctx.db, user.username);
    const listed = await listTokens(t.ctx.db, { username: user.username });
    expect(listed.map((x) => x.id)).toEqual([newer.info.id, older.info.id]);
    expect(listed.every((x) => x.revokedAt !== null)).toBe(true);
    expect(await tokenUser(t.ctx.db, newer.token)).toBeUndefined();
  });

  it('is refused when its creator is disabled, and capped when its creator is demoted', async () => {
    const user = await freshUser('risk_owner');
    const made = await createToken(t.ctx.db, user, spec({ role: 'risk_owner' }));
    expect((await tokenUser(t.ctx.db, made.token))?.user.role).toBe('risk_owner');

    // straight in the table, so this checks tokenUser itself and not the revocation that disabling also does
    await t.ctx.db.run('UPDATE users SET role = $role WHERE username = $username', { role: 'executive', username: user.username });
    expect((await tokenUser(t.ctx.db, made.token))?.user.role).toBe('executive');

    await t.ctx.db.run('UPDATE users SET disabled = true WHERE username = $username', { username: user.username });
    expect(await tokenUser(t.ctx.db, made.token)).toBeUndefined();
    const res = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(made.token) });
    expect(res.statusCode).toBe(401);
    expect((await listTokens(t.ctx.db, { username: user.username }))[0].revokedAt).toBeNull();
  });

  it('cannot manage tokens', async () => {
    const { token } = await createViaApi(adminCookie, spec({ role: 'admin' }));
    const before = (await listTokens(t.ctx.db)).length;
    for (const [method, url] of [['POST', '/api/account/tokens'], ['GET', '/api/account/tokens'], ['GET', '/api/admin/tokens']] as const) {
      const res = await t.app.inject({ method, url, headers: bearer(token), payload: method === 'POST' ? spec() : undefined });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('API tokens cannot manage accounts');
    }
    expect((await listTokens(t.ctx.db)).length).toBe(before);
  });

  it('an invalid bearer is refused even beside a valid session cookie', async () => {
    const withCookie = await injectAs(t, 'admin', { method: 'GET', url: '/api/auth/me' });
    expect(withCookie.statusCode).toBe(200);
    for (const secret of [`${TOKEN_PREFIX}not-a-real-token`, 'garbage']) {
      const res = await injectAs(t, 'admin', { method: 'GET', url: '/api/auth/me', headers: bearer(secret) });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toBe('invalid or revoked API token');
    }
  });
});
