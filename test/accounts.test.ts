import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { LOGIN_LIMITS, type SetupLink, type UserSummary } from '../server/auth/accountContract.ts';
import { DEMO_USERS } from '../server/auth/bootstrap.ts';
import { loginLock, recordLoginFailure } from '../server/auth/loginThrottle.ts';
import { checkPassword } from '../server/auth/passwordPolicy.ts';
import { createSetupLink, useSetupLink } from '../server/auth/passwordSetup.ts';
import { createSession, listSessions, sessionUser } from '../server/auth/sessions.ts';
import { createToken, listTokens } from '../server/auth/tokens.ts';
import { findUser, updateUser } from '../server/auth/users.ts';
import { getOutboxMessage, listOutbox } from '../server/notify/outbox.ts';
import { injectAs, makeTestApp, type TestApp } from './helpers/app.ts';

const CSRF = { 'x-vigil-csrf': '1' };
const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const ADMIN = DEMO_USERS.find((u) => u.role === 'admin')!;

type Cookies = Record<string, string>;

async function login(t: TestApp, username: string, password: string, remoteAddress = '127.0.0.1') {
  return t.app.inject({ method: 'POST', url: '/api/auth/login', headers: CSRF, payload: { username, password }, remoteAddress });
}

async function cookieOf(t: TestApp, username: string, password: string): Promise<Cookies> {
  const res = await login(t, username, password);
  expect(res.statusCode, res.body).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'vigil_session')!;
  return { [cookie.name]: cookie.value };
}

/** A request with a session cookie (not a demo role's fresh one). */
function withCookie(t: TestApp, cookies: Cookies, opts: InjectOptions) {
  return t.app.inject({ ...opts, cookies, headers: { ...CSRF, ...(opts.headers ?? {}) } });
}

async function createAccount(t: TestApp, payload: Record<string, unknown>) {
  return injectAs(t, 'admin', { method: 'POST', url: '/api/admin/users', payload });
}

const tokenOf = (link: SetupLink) => new URL(link.url).searchParams.get('token')!;

describe('password policy', () => {
  const who = { username: 'zhangwei', displayName: 'Zhang Wei' };

  it('refuses short, common and username-built passwords and names the reason', () => {
    expect(checkPassword('short-pw1', who)).toMatch(/at least 12 characters/);
    // the list is compared case-insensitively
    expect(checkPassword('Password1234', who)).toMatch(/most common passwords/);
    expect(checkPassword('QWERTY123456', who)).toMatch(/most common passwords/);
    expect(checkPassword('zhangwei2024!', who)).toMatch(/username or display name/);
    expect(checkPassword('ZhangWei-1990', who)).toMatch(/username or display name/);
    expect(checkPassword('zhang wei 1990', who)).toMatch(/username or display name/);
  });

  it('accepts a long uncommon password, and every demo password', () => {
    expect(checkPassword('lantern-orbit-teacup-7', who)).toBeNull();
    // containing the name is fine when most of the password is its own
    expect(checkPassword('zhangwei-lantern-orbit', who)).toBeNull();
    for (const user of DEMO_USERS) expect(checkPassword(user.password, user), user.username).toBeNull();
  });
});

describe('user administration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp();
  });
  afterAll(async () => t?.close());

  it('an admin creates a user with a password, who can then sign in', async () => {
    const res = await createAccount(t, { username: 'li.na', displayName: 'Li Na', role: 'analyst', password: 'harbour-violet-42x' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().setup).toBeNull();
    expect(res.json().user).toMatchObject({ username: 'li.na', role: 'analyst', pii: false, passwordPending: false, disabled: false, lastSignInAt: null });
    const signIn = await login(t, 'li.na', 'harbour-violet-42x');
    expect(signIn.statusCode).toBe(200);
    const list = await injectAs(t, 'admin', { method: 'GET', url: '/api/admin/users' });
    const row = (list.json().users as UserSummary[]).find((u) => u.username === 'li.na')!;
    expect(Date.parse(row.lastSignInAt!)).toBeGreaterThan(Date.now() - MINUTE);
    expect(row.activeSessions).toBe(1);
  });

  it('refuses a weak password, a duplicate username and a non-admin creator', async () => {
    const weak = await createAccount(t, { username: 'weak', displayName: 'Weak', role: 'analyst', password: 'password1234' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error).toMatch(/most common passwords/);
    expect(await findUser(t.ctx.db, 'weak')).toBeUndefined();
    const dup = await createAccount(t, { username: 'analyst', displayName: 'Another', role: 'analyst', password: 'harbour-violet-42x' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toBe('the username analyst is taken');
    const byAnalyst = await injectAs(t, 'analyst', { method: 'POST', url: '/api/admin/users', payload: { username: 'x1', displayName: 'X', role: 'admin' } });
    expect(byAnalyst.statusCode).toBe(403);
  });

  it('an invite link lets the new user choose a password and signs them in; the link works once', async () => {
    const res = await createAccount(t, { username: 'wang.fang', displayName: 'Wang Fang', role: 'risk_owner' });
    expect(res.statusCode).toBe(201);
    const { user, setup } = res.json() as { user: UserSummary; setup: SetupLink };
    expect(user.passwordPending).toBe(true);
    expect(setup.emailed).toBe(false);
    expect(setup.url.startsWith(`${t.ctx.appUrl}/login/setup?token=`)).toBe(true);
    expect(Date.parse(setup.expiresAt) - Date.now()).toBeGreaterThan(71 * HOUR);
    expect(Date.parse(setup.expiresAt) - Date.now()).toBeLessThanOrEqual(72 * HOUR);
    // pending: no password signs in, not even the placeholder stored for it
    expect((await login(t, 'wang.fang', '!')).statusCode).toBe(401);

    const weak = await t.app.inject({ method: 'POST', url: '/api/auth/setup', headers: CSRF, payload: { token: tokenOf(setup), password: 'wang.fang123' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error).toMatch(/at least 12|username/);

    const done = await t.app.inject({ method: 'POST', url: '/api/auth/setup', headers: CSRF, payload: { token: tokenOf(setup), password: 'copper-meadow-lantern' } });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().user.username).toBe('wang.fang');
    const cookie = done.cookies.find((c) => c.name === 'vigil_session')!;
    const me = await withCookie(t, { [cookie.name]: cookie.value }, { method: 'GET', url: '/api/auth/me' });
    expect(me.json().user.username).toBe('wang.fang');
    expect((await login(t, 'wang.fang', 'copper-meadow-lantern')).statusCode).toBe(200);

    const again = await t.app.inject({ method: 'POST', url: '/api/auth/setup', headers: CSRF, payload: { token: tokenOf(setup), password: 'another-fine-password' } });
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toBe('this link is invalid or has expired');
    expect((await login(t, 'wang.fang', 'another-fine-password')).statusCode).toBe(401);

    // the sign-in through the link is audited under the user's name
    const audit = await t.ctx.db.all<{ username: string }>(`SELECT username FROM audit_log WHERE action = 'setup' AND kind = 'sign_in'`);
    expect(audit.map((r) => r.username)).toContain('wang.fang');
  });

  it('refuses an expired, an unknown and a replaced link with the same message', async () => {
    await createAccount(t, { username: 'chen.jie', displayName: 'Chen Jie', role: 'executive' });
    const old = await createSetupLink(t.ctx.db, 'chen.jie', 'invite', 'admin', t.ctx.appUrl, Date.now() - 73 * HOUR);
    await expect(useSetupLink(t.ctx.db, tokenOf(old), 'copper-meadow-lantern')).rejects.toThrow('this link is invalid or has expired');
    await expect(useSetupLink(t.ctx.db, 'made-up-token-value', 'copper-meadow-lantern')).rejects.toThrow('this link is invalid or has expired');
    const first = await createSetupLink(t.ctx.db, 'chen.jie', 'invite', 'admin', t.ctx.appUrl);
    const second = await createSetupLink(t.ctx.db, 'chen.jie', 'invite', 'admin', t.ctx.appUrl);
    await expect(useSetupLink(t.ctx.db, tokenOf(first), 'copper-meadow-lantern')).rejects.toThrow('this link is invalid or has expired');
    expect((await useSetupLink(t.ctx.db, tokenOf(second), 'copper-meadow-lantern')).username).toBe('chen.jie');
  });

  it('emails the invite link through the outbox when the user has an email', async () => {
    const res = await createAccount(t, { username: 'zhao.lei', displayName: 'Zhao Lei', email: 'zhao.lei@example.com', role: 'analyst' });
    const { setup } = res.json() as { setup: SetupLink };
    expect(setup.emailed).toBe(true);
    const queued = (await listOutbox(t.ctx.db, { limit: 50 })).filter((m) => m.recipients.includes('zhao.lei@example.com'));
    expect(queued).toHaveLength(1);
    const message = (await getOutboxMessage(t.ctx.db, queued[0].id))!;
    expect(message.status).toBe('pending');
    expect(message.text).toContain(setup.url);
    expect(message.html).toContain(setup.url);
    expect(message.text).toContain('zhao.lei');
    // the link signs in as that user, so only admins may read it in the outbox
    for (const role of ['executive', 'analyst', 'risk_owner'] as const) {
      const list = await injectAs(t, role, { method: 'GET', url: '/api/notify/outbox' });
      expect(list.body).not.toContain(setup.url.split('token=')[1]);
      expect((list.json() as { messages: { id: number }[] }).messages.map((m) => m.id)).not.toContain(queued[0].id);
      expect((await injectAs(t, role, { method: 'GET', url: `/api/notify/outbox/${queued[0].id}` })).statusCode).toBe(404);
    }
    expect((await injectAs(t, 'admin', { method: 'GET', url: `/api/notify/outbox/${queued[0].id}` })).json().text).toContain(setup.url);
  });

  it('a reset refuses the old password, ends the sessions and lets the user choose a new one', async () => {
    await createAccount(t, { username: 'sun.li', displayName: 'Sun Li', role: 'analyst', password: 'granite-harbour-sky' });
    const cookies = await cookieOf(t, 'sun.li', 'granite-harbour-sky');
    const res = await injectAs(t, 'admin', { method: 'POST', url: '/api/admin/users/sun.li/reset' });
    expect(res.statusCode, res.body).toBe(200);
    const { setup } = res.json() as { setup: SetupLink };
    expect((await login(t, 'sun.li', 'granite-harbour-sky')).statusCode).toBe(401);
    expect((await withCookie(t, cookies, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await useSetupLink(t.ctx.db, tokenOf(setup), 'new-granite-harbour')).username).toBe('sun.li');
    expect((await login(t, 'sun.li', 'new-granite-harbour')).statusCode).toBe(200);

    expect((await injectAs(t, 'admin', { method: 'POST', url: '/api/admin/users/nobody/reset' })).statusCode).toBe(404);
    const self = await injectAs(t, 'admin', { method: 'POST', url: `/api/admin/users/${ADMIN.username}/reset` });
    expect(self.statusCode).toBe(409);
  });

  it('disabling an account refuses its sign-in, its open session and its API tokens', async () => {
    await createAccount(t, { username: 'zhou.min', displayName: 'Zhou Min', role: 'analyst', password: 'willow-canyon-drift' });
    const cookies = await cookieOf(t, 'zhou.min', 'willow-canyon-drift');
    const user = (await findUser(t.ctx.db, 'zhou.min'))!;
    const token = await createToken(t.ctx.db, user, { name: 'script', role: 'analyst', readOnly: true, expiresInDays: 30 });
    const res = await injectAs(t, 'admin', { method: 'PATCH', url: '/api/admin/users/zhou.min', payload: { disabled: true } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user).toMatchObject({ disabled: true, activeSessions: 0 });
    expect((await login(t, 'zhou.min', 'willow-canyon-drift')).statusCode).toBe(401);
    expect((await withCookie(t, cookies, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await listTokens(t.ctx.db, { username: 'zhou.min' }))[0].revokedAt).not.toBeNull();
    const viaToken = await t.app.inject({ method: 'GET', url: '/api/kpis/catalog', headers: { authorization: `Bearer ${token.token}` } });
    expect(viaToken.statusCode).toBe(401);

    const missing = await injectAs(t, 'admin', { method: 'PATCH', url: '/api/admin/users/nobody', payload: { pii: true } });
    expect(missing.statusCode).toBe(404);
  });

  it('changes role, pii, display name and email', async () => {
    const res = await injectAs(t, 'admin', {
      method: 'PATCH', url: '/api/admin/users/li.na', payload: { role: 'risk_owner', pii: true, displayName: 'Li Na (risk)', email: 'li.na@example.com' },
    });
    expect(res.json().user).toMatchObject({ role: 'risk_owner', pii: true, displayName: 'Li Na (risk)', email: 'li.na@example.com' });
    const cleared = await injectAs(t, 'admin', { method: 'PATCH', url: '/api/admin/users/li.na', payload: { email: null } });
    expect(cleared.json().user).toMatchObject({ role: 'risk_owner', email: null });
  });

  it('API tokens cannot manage accounts, even an admin token', async () => {
    const admin = (await findUser(t.ctx.db, ADMIN.username))!;
    const { token } = await createToken(t.ctx.db, admin, { name: 'ops', role: 'admin', readOnly: false, expiresInDays: 30 });
    const bearer = { authorization: `Bearer ${token}` };
    for (const opts of [
      { method: 'GET', url: '/api/admin/users' },
      { method: 'POST', url: '/api/admin/users', payload: { username: 'via.token', displayName: 'T', role: 'admin' } },
      { method: 'PATCH', url: '/api/admin/users/li.na', payload: { role: 'admin' } },
      { method: 'GET', url: '/api/admin/sessions' },
      { method: 'GET', url: '/api/account/sessions' },
      { method: 'POST', url: '/api/account/password', payload: { current: ADMIN.password, next: 'token-chosen-password' } },
    ] as const) {
      const res = await t.app.inject({ ...opts, headers: bearer });
      expect(res.statusCode, `${opts.method} ${opts.url}`).toBe(403);
      expect(res.json().error).toBe('API tokens cannot manage accounts');
    }
    expect(await findUser(t.ctx.db, 'via.token')).toBeUndefined();
  });
});

describe('admin rules', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp();
  });
  afterAll(async () => t?.close());

  it('an admin cannot remove their own admin role or disable themselves', async () => {
    const demote = await injectAs(t, 'admin', { method: 'PATCH', url: `/api/admin/users/${ADMIN.username}`, payload: { role: 'analyst' } });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().error).toBe('you cannot remove your own admin role');
    const disable = await injectAs(t, 'admin', { method: 'PATCH', url: `/api/admin/users/${ADMIN.username}`, payload: { disabled: true } });
    expect(disable.statusCode).toBe(409);
    expect(disable.json().error).toBe('you cannot disable your own account');
    // other changes to oneself are fine
    const rename = await injectAs(t, 'admin', { method: 'PATCH', url: `/api/admin/users/${ADMIN.username}`, payload: { displayName: 'Chief Admin' } });
    expect(rename.json().user).toMatchObject({ role: 'admin', displayName: 'Chief Admin' });
  });

  it('the last enabled admin is never demoted or disabled, whoever asks', async () => {
    // an actor other than the account itself, as a script or a second session racing would be
    const other = { username: 'ops', displayName: 'Ops', role: 'admin' as const, pii: false };
    await expect(updateUser(t.ctx.db, ADMIN.username, { role: 'analyst' }, other)).rejects.toThrow('admin is the last enabled admin and cannot be demoted or disabled');
    await expect(updateUser(t.ctx.db, ADMIN.username, { disabled: true }, other)).rejects.toThrow(/last enabled admin/);
    expect((await findUser(t.ctx.db, ADMIN.username))!.role).toBe('admin');

    await createAccount(t, { username: 'second.admin', displayName: 'Second', role: 'admin', password: 'second-admin-passphrase' });
    const demoted = await injectAs(t, 'admin', { method: 'PATCH', url: '/api/admin/users/second.admin', payload: { role: 'analyst' } });
    expect(demoted.json().user.role).toBe('analyst');
    // a disabled admin does not count as the one left
    await injectAs(t, 'admin', { method: 'PATCH', url: '/api/admin/users/second.admin', payload: { role: 'admin', disabled: true } });
    await expect(updateUser(t.ctx.db, ADMIN.username, { role: 'executive' }, other)).rejects.toThrow(/last enabled admin/);
  });
});

describe('own password and sessions', () => {
  let t: TestApp;
  const analyst = DEMO_USERS.find((u) => u.role === 'analyst')!;
  beforeAll(async () => {
    t = await makeTestApp();
  });
  afterAll(async () => t?.close());

  it('a cookie POST without the CSRF header is refused', async () => {
    const cookies = await cookieOf(t, analyst.username, analyst.password);
    const res = await t.app.inject({ method: 'POST', url: '/api/account/password', cookies, payload: { current: analyst.password, next: 'never-applied-password' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatch(/x-vigil-csrf/);
    expect((await login(t, analyst.username, analyst.password)).statusCode).toBe(200);
  });

  it('changing one\'s password checks the current one and the policy, and ends the other sessions only', async () => {
    const here = await cookieOf(t, analyst.username, analyst.password);
    const elsewhere = await cookieOf(t, analyst.username, analyst.password);
    const change = (payload: { current: string; next: string }) => withCookie(t, here, { method: 'POST', url: '/api/account/password', payload });

    const wrong = await change({ current: 'not-the-password', next: 'fresh-river-stone-9' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toBe('the current password is wrong');
    const weak = await change({ current: analyst.password, next: 'iloveyou1234' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error).toMatch(/most common/);
    expect((await withCookie(t, elsewhere, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);

    expect((await change({ current: analyst.password, next: 'fresh-river-stone-9' })).statusCode).toBe(204);
    expect((await withCookie(t, here, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
    expect((await withCookie(t, elsewhere, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await login(t, analyst.username, analyst.password)).statusCode).toBe(401);
    expect((await login(t, analyst.username, 'fresh-river-stone-9')).statusCode).toBe(200);
  });

  it('lists and revokes one\'s own sessions, and cannot revoke someone else\'s', async () => {
    const exec = DEMO_USERS.find((u) => u.role === 'executive')!;
    const execA = await cookieOf(t, exec.username, exec.password);
    const execB = await t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { ...CSRF, 'user-agent': 'vigil-test-agent/1.0' }, payload: { username: exec.username, password: exec.password } });
    const execBCookies = { vigil_session: execB.cookies.find((c) => c.name === 'vigil_session')!.value };

    const list = await withCookie(t, execA, { method: 'GET', url: '/api/account/sessions' });
    const sessions = list.json().sessions as { id: string; username: string; current: boolean; userAgent: string | null }[];
    expect(sessions.every((s) => s.username === exec.username)).toBe(true);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    const other = sessions.find((s) => s.userAgent === 'vigil-test-agent/1.0')!;
    expect(other.current).toBe(false);

    // another user cannot reach it: not found, and it stays live
    const analystCookies = await cookieOf(t, analyst.username, 'fresh-river-stone-9');
    const foreign = await withCookie(t, analystCookies, { method: 'DELETE', url: `/api/account/sessions/${other.id}` });
    expect(foreign.statusCode).toBe(404);
    expect((await withCookie(t, execBCookies, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);

    expect((await withCookie(t, execA, { method: 'DELETE', url: `/api/account/sessions/${other.id}` })).statusCode).toBe(204);
    expect((await withCookie(t, execBCookies, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await withCookie(t, execA, { method: 'DELETE', url: `/api/account/sessions/${other.id}` })).statusCode).toBe(404);
    expect((await withCookie(t, execA, { method: 'DELETE', url: '/api/account/sessions/not-an-id' })).statusCode).toBe(400);
  });

  it('an admin lists anyone\'s sessions and revokes one', async () => {
    const risk = DEMO_USERS.find((u) => u.role === 'risk_owner')!;
    const riskCookies = await cookieOf(t, risk.username, risk.password);
    const list = await injectAs(t, 'admin', { method: 'GET', url: `/api/admin/sessions?username=${risk.username}` });
    const sessions = list.json().sessions as { id: string; username: string }[];
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => s.username === risk.username)).toBe(true);
    const all = (await injectAs(t, 'admin', { method: 'GET', url: '/api/admin/sessions' })).json().sessions as { username: string }[];
    expect(new Set(all.map((s) => s.username)).size).toBeGreaterThan(1);

    for (const s of sessions) expect((await injectAs(t, 'admin', { method: 'DELETE', url: `/api/admin/sessions/${s.id}` })).statusCode).toBe(204);
    expect((await withCookie(t, riskCookies, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await injectAs(t, 'admin', { method: 'DELETE', url: '/api/admin/sessions/0123456789abcdef' })).statusCode).toBe(404);
    expect((await injectAs(t, 'risk_owner', { method: 'GET', url: '/api/admin/sessions' })).statusCode).toBe(403);
  });

  it('a session ends after 8 idle hours, and after 7 days however active', async () => {
    const start = Date.now();
    const idle = await createSession(t.ctx.db, analyst.username, 'test', start);
    expect(await sessionUser(t.ctx.db, idle, start + 7 * HOUR)).toBeDefined();
    // each check counts as activity: 7 h after the last one is fine, 8 h 1 min is not
    expect(await sessionUser(t.ctx.db, idle, start + 14 * HOUR)).toBeDefined();
    expect(await sessionUser(t.ctx.db, idle, start + 22 * HOUR + MINUTE)).toBeUndefined();

    const busy = await createSession(t.ctx.db, analyst.username, 'test', start);
    let at = start;
    for (; at < start + 7 * 24 * HOUR; at += 6 * HOUR) expect(await sessionUser(t.ctx.db, busy, at)).toBeDefined();
    // last seen 6 h before, so only the absolute limit ends it
    const beyond = start + 7 * 24 * HOUR + MINUTE;
    expect(await sessionUser(t.ctx.db, busy, beyond)).toBeUndefined();
    const listed = await listSessions(t.ctx.db, { username: analyst.username }, undefined, beyond);
    expect(listed).toHaveLength(0);
  });

  it('records a session\'s activity to the minute, not on every request, and refuses it once its user is disabled', async () => {
    const user = await findUser(t.ctx.db, DEMO_USERS.find((u) => u.role === 'executive')!.username);
    const start = Date.parse('2026-11-27T09:00:00Z');
    const token = await createSession(t.ctx.db, user!.username, 'test', start);
    const lastSeen = async (now: number) => (await listSessions(t.ctx.db, { username: user!.username }, token, now)).find((s) => s.current)!.lastSeenAt;
    expect(await sessionUser(t.ctx.db, token, start + 30_000)).toEqual(user);
    expect(await lastSeen(start + 30_000)).toBe(new Date(start).toISOString());
    await sessionUser(t.ctx.db, token, start + MINUTE);
    expect(await lastSeen(start + MINUTE)).toBe(new Date(start + MINUTE).toISOString());

    const admin = (await findUser(t.ctx.db, ADMIN.username))!;
    await updateUser(t.ctx.db, user!.username, { disabled: true }, admin);
    const afterDisable = await createSession(t.ctx.db, user!.username, 'test', start + 2 * MINUTE);
    expect(await sessionUser(t.ctx.db, afterDisable, start + 3 * MINUTE)).toBeUndefined();
    await updateUser(t.ctx.db, user!.username, { disabled: false }, admin);
  });
});

describe('login throttle', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp();
  });
  afterAll(async () => t?.close());

  it('locks an existing and a non-existing username alike after 5 failures', async () => {
    const analyst = DEMO_USERS.find((u) => u.role === 'analyst')!;
    for (let i = 0; i < LOGIN_LIMITS.failuresPerAccount; i += 1) {
      expect((await login(t, analyst.username, `wrong-${i}`, '10.0.0.1')).statusCode).toBe(401);
      expect((await login(t, 'no-such-user', `wrong-${i}`, '10.0.0.2')).statusCode).toBe(401);
    }
    // the right password does not help while locked
    const existing = await login(t, analyst.username, analyst.password, '10.0.0.1');
    const missing = await login(t, 'no-such-user', 'anything-at-all', '10.0.0.2');
    expect(existing.statusCode).toBe(429);
    expect(existing.json().error).toBe('too many failed sign-ins; try again in 15 minutes');
    expect(existing.headers['retry-after']).toBe(String(15 * 60));
    expect({ status: missing.statusCode, body: missing.body, retryAfter: missing.headers['retry-after'] })
      .toEqual({ status: existing.statusCode, body: existing.body, retryAfter: existing.headers['retry-after'] });
    // the lock is on the name (any case), from any address
    expect((await login(t, analyst.username.toUpperCase(), analyst.password, '10.9.9.9')).statusCode).toBe(429);
    const audit = await t.ctx.db.all<{ kind: string }>(`SELECT kind FROM audit_log WHERE action = 'login' AND status = 429`);
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((r) => r.kind === 'sign_in_failed')).toBe(true);
  });

  it('a successful sign-in clears the username\'s failures', async () => {
    const exec = DEMO_USERS.find((u) => u.role === 'executive')!;
    for (let i = 0; i < LOGIN_LIMITS.failuresPerAccount - 1; i += 1) await login(t, exec.username, 'wrong-password', '10.0.1.1');
    expect((await login(t, exec.username, exec.password, '10.0.1.1')).statusCode).toBe(200);
    for (let i = 0; i < LOGIN_LIMITS.failuresPerAccount - 1; i += 1) await login(t, exec.username, 'wrong-password', '10.0.1.1');
    // 8 failures in all, but only 4 since the success
    expect((await login(t, exec.username, exec.password, '10.0.1.1')).statusCode).toBe(200);
  });

  it('refuses an address after 30 failures across usernames, and only that address', async () => {
    for (let i = 0; i < LOGIN_LIMITS.failuresPerSource; i += 1) {
      expect((await login(t, `spray-${i}`, 'wrong-password', '10.0.2.1')).statusCode).toBe(401);
    }
    const risk = DEMO_USERS.find((u) => u.role === 'risk_owner')!;
    const blocked = await login(t, risk.username, risk.password, '10.0.2.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBe(String(15 * 60));
    expect((await login(t, risk.username, risk.password, '10.0.2.2')).statusCode).toBe(200);
  });

  it('successful sign-ins from one address are never limited', async () => {
    const risk = DEMO_USERS.find((u) => u.role === 'risk_owner')!;
    // more successes than the failures that would block the address
    for (let i = 0; i <= LOGIN_LIMITS.failuresPerSource; i += 1) expect((await login(t, risk.username, risk.password, '10.0.3.1')).statusCode).toBe(200);
  });

  it('the lock lifts 15 minutes after the failure that set it', async () => {
    const start = Date.now();
    for (let i = 0; i < LOGIN_LIMITS.failuresPerAccount; i += 1) await recordLoginFailure(t.ctx.db, 'Someone', '10.0.4.1', start + i * MINUTE);
    const last = start + (LOGIN_LIMITS.failuresPerAccount - 1) * MINUTE;
    expect((await loginLock(t.ctx.db, 'someone', '10.0.4.9', last + MINUTE))?.message).toBe('too many failed sign-ins; try again in 14 minutes');
    expect((await loginLock(t.ctx.db, 'someone', '10.0.4.9', last + 14 * MINUTE + 30_000))?.retryAfterSeconds).toBe(60);
    expect(await loginLock(t.ctx.db, 'someone', '10.0.4.9', last + LOGIN_LIMITS.lockMinutes * MINUTE)).toBeNull();
  });

  it('forgets failures that can no longer lock anything', async () => {
    const count = async () => (await t.ctx.db.one<{ n: number }>("SELECT count(*)::INTEGER AS n FROM login_failures WHERE username = 'ghost'"))!.n;
    await recordLoginFailure(t.ctx.db, 'ghost', '10.0.6.1', Date.now() - 3 * HOUR);
    await recordLoginFailure(t.ctx.db, 'ghost', '10.0.6.1', Date.now() - 20 * MINUTE);
    expect(await count()).toBe(1);
  });

  it('failures spread wider than the window do not lock', async () => {
    const start = Date.now() - 2 * HOUR;
    for (let i = 0; i < LOGIN_LIMITS.failuresPerAccount; i += 1) await recordLoginFailure(t.ctx.db, 'slow', '10.0.5.1', start + i * 5 * MINUTE);
    expect(await loginLock(t.ctx.db, 'slow', '10.0.5.1', start + 20 * MINUTE)).toBeNull();
  });
});
