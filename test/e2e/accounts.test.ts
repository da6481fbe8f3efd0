// End-to-end: user administration, the Account page and invite links in Chromium, against the real
// server. One story runs through the tests in order: the admin invites Dana, Dana sets a password
// from the link, the admin changes her role, she changes her password, makes and revokes an API token,
// and the admin ends her session.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { DEMO_USERS } from '../../server/auth/bootstrap.ts';
import { LOGIN_LIMITS } from '../../server/auth/accountContract.ts';
import { tempDir } from '../helpers/app.ts';
import { type BrowserApp, horizontalOverflow, startBrowserApp } from '../helpers/browser.ts';

const ADMIN = DEMO_USERS.find((u) => u.role === 'admin')!;
const SHOTS = '/tmp/shots7';
const DANA = { username: 'dana.lee', displayName: 'Dana Lee', first: 'Tangerine-Harbor-42', second: 'Quiet-Lantern-Orbit-7' };

describe('accounts in the browser', () => {
  let root: string;
  let served: BrowserApp;
  let adminPage: Page;
  let danaPage: Page;
  /** the path and query of Dana's invite link; the server builds it on its configured app URL */
  let invitePath: string;

  beforeAll(async () => {
    root = await tempDir('e2e-accounts');
    await mkdir(SHOTS, { recursive: true });
    served = await startBrowserApp(root);
  });

  afterAll(async () => {
    await served?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function newPage(width: number): Promise<Page> {
    const context: BrowserContext = await served.browser.newContext({ viewport: { width, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    // revoking asks for confirmation with the browser's own dialog
    page.on('dialog', (d) => void d.accept());
    return page;
  }

  async function signIn(page: Page, username: string, password: string, next = '/'): Promise<void> {
    await page.goto(`${served.base}/login${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${served.base}${next}`);
  }

  async function shoot(page: Page, name: string): Promise<void> {
    expect(await horizontalOverflow(page), `${name} scrolls sideways`).toBe(0);
    // a full-page shot of a scrolled page draws the sticky top bar in the middle
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  const userRow = (page: Page, username: string) => page.locator(`[data-table="users"] tr[data-user="${username}"]`);

  it('invites a user whose link sets a password and signs her in on Overview', async () => {
    adminPage = await newPage(1280);
    await signIn(adminPage, ADMIN.username, ADMIN.password, '/admin');
    await userRow(adminPage, ADMIN.username).waitFor();

    await adminPage.click('button[name=user-new]');
    await adminPage.fill('input[name=user-username]', DANA.username);
    await adminPage.fill('input[name=user-name]', DANA.displayName);
    await adminPage.selectOption('select[name=user-role]', 'analyst');
    expect(await adminPage.isChecked('input[name=user-method][value=invite]')).toBe(true);
    await adminPage.click('button[name=user-submit]');

    const link = await adminPage.locator('[data-secret="setup"] input').inputValue();
    expect(link).toMatch(/\/login\/setup\?token=[\w-]{20,}$/);
    // no email address: the admin is told to hand the link over
    expect(await adminPage.locator('[data-secret="setup"]').textContent()).toContain('was not emailed');
    await expect.poll(() => userRow(adminPage, DANA.username).locator('[data-status]').textContent()).toContain('Password pending');
    invitePath = new URL(link).pathname + new URL(link).search;
    await shoot(adminPage, 'admin-1280');

    danaPage = await newPage(1280);
    await danaPage.goto(`${served.base}${invitePath}`);
    await danaPage.fill('input[name=setup-new]', DANA.first);
    await danaPage.fill('input[name=setup-repeat]', `${DANA.first}x`);
    await danaPage.click('button[type=submit]');
    expect(await danaPage.locator('[role=alert]').textContent()).toContain('do not match');
    await shoot(danaPage, 'setup-1280');

    await danaPage.fill('input[name=setup-repeat]', DANA.first);
    await danaPage.click('button[type=submit]');
    await danaPage.waitForURL(`${served.base}/`);
    await danaPage.locator('h1', { hasText: 'Overview' }).waitFor();
    expect(await danaPage.locator('header a[href="/account"]').first().textContent()).toContain(DANA.displayName);

    await expect.poll(async () => {
      await adminPage.reload();
      return userRow(adminPage, DANA.username).locator('[data-status]').textContent();
    }).toContain('Active');
  });

  it('refuses the used link with the server message and offers sign-in', async () => {
    const page = await newPage(375);
    await page.goto(`${served.base}${invitePath}`);
    await page.fill('input[name=setup-new]', DANA.second);
    await page.fill('input[name=setup-repeat]', DANA.second);
    await page.click('button[type=submit]');
    expect(await page.locator('[role=alert]').textContent()).toContain('this link is invalid or has expired');
    expect(await page.locator('form a[href="/login"]').isVisible()).toBe(true);
    expect(page.url()).toContain('/login/setup');
    await shoot(page, 'setup-375');
    await page.context().close();
  });

  it('shows the server refusal when the admin would disable themselves', async () => {
    await userRow(adminPage, ADMIN.username).locator('button[name=user-edit]').click();
    await adminPage.check('input[name=user-disabled]');
    await adminPage.click('button[name=user-submit]');
    expect(await adminPage.locator('[data-dialog="user"] [role=alert]').textContent()).toContain('you cannot disable your own account');
    await adminPage.keyboard.press('Escape');
    await adminPage.locator('[data-dialog="user"]').waitFor({ state: 'detached' });
  });

  it('changes the role, which the user sees on her Account page after a reload', async () => {
    await danaPage.click('header a[href="/account"]');
    await danaPage.waitForURL(`${served.base}/account`);
    expect(await danaPage.locator('[data-me="role"]').textContent()).toBe('Analyst');

    await userRow(adminPage, DANA.username).locator('button[name=user-edit]').click();
    await adminPage.selectOption('select[name=user-role]', 'risk_owner');
    await adminPage.click('button[name=user-submit]');
    await expect.poll(() => userRow(adminPage, DANA.username).locator('[data-role]').textContent()).toBe('Risk owner');

    await danaPage.reload();
    await expect.poll(() => danaPage.locator('[data-me="role"]').textContent()).toBe('Risk owner');
    expect(await danaPage.locator('[data-me="username"]').textContent()).toBe(DANA.username);
  });

  it('changes her own password and signs in with the new one', async () => {
    await danaPage.fill('input[name=password-current]', 'not-my-password-1');
    await danaPage.fill('input[name=password-new]', DANA.second);
    await danaPage.fill('input[name=password-repeat]', DANA.second);
    await danaPage.click('button[name=password-submit]');
    expect(await danaPage.locator('[data-card="password"] [role=alert]').textContent()).toContain('the current password is wrong');

    await danaPage.fill('input[name=password-current]', DANA.first);
    await danaPage.fill('input[name=password-new]', DANA.second);
    await danaPage.fill('input[name=password-repeat]', DANA.second);
    await danaPage.click('button[name=password-submit]');
    expect(await danaPage.locator('[data-card="password"] [role=status]').textContent()).toContain('other sessions were signed out');
    // this browser's session is kept and marked as the current one
    await danaPage.locator('[data-sessions="own"] tr.current').waitFor();

    const fresh = await newPage(1280);
    await fresh.goto(`${served.base}/login`);
    await fresh.fill('#username', DANA.username);
    await fresh.fill('#password', DANA.first);
    await fresh.click('button[type=submit]');
    expect(await fresh.locator('[role=alert]').textContent()).toContain('invalid username or password');
    await fresh.fill('#password', DANA.second);
    await fresh.click('button[type=submit]');
    await fresh.waitForURL(`${served.base}/`);
    await fresh.context().close();
  });

  it('creates an API token shown once, which works with Bearer until revoked in the page', async () => {
    await danaPage.click('button[name=token-new]');
    // a risk owner may give a token her role or a lower one, never admin
    expect(await danaPage.locator('select[name=token-role] option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)))
      .toEqual(['executive', 'analyst', 'risk_owner']);
    expect(await danaPage.isChecked('input[name=token-readonly]')).toBe(true);
    await danaPage.fill('input[name=token-name]', 'nightly report');
    await danaPage.selectOption('select[name=token-role]', 'analyst');
    await danaPage.selectOption('select[name=token-expiry]', '30');
    await danaPage.click('button[name=token-submit]');

    const secret = await danaPage.locator('[data-secret="token"] input').inputValue();
    expect(secret).toMatch(/^vigil_[\w-]{20,}$/);
    await shoot(danaPage, 'account-1280');

    const me = await fetch(`${served.base}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    const body = (await me.json()) as { user: { username: string; role: string } };
    expect(body.user).toMatchObject({ username: DANA.username, role: 'analyst' });

    // shown once: after a reload only the token's row is left, and the secret is nowhere on the page
    await danaPage.reload();
    const row = danaPage.locator('[data-table="tokens-own"] tbody tr', { hasText: 'nightly report' });
    await row.waitFor();
    expect(await danaPage.locator('[data-secret="token"]').count()).toBe(0);
    expect(await danaPage.content()).not.toContain(secret);
    await expect.poll(() => row.locator('td[data-label="Last used"]').textContent()).not.toBe('Never used');

    await row.locator('button', { hasText: 'Revoke' }).click();
    await expect.poll(() => row.locator('[data-status]').textContent()).toContain('Revoked');
    const after = await fetch(`${served.base}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(after.status).toBe(401);

    // the admin sees every user's tokens, with the revoked one flagged
    await adminPage.reload();
    const adminRow = adminPage.locator('[data-table="tokens-admin"] tbody tr', { hasText: 'nightly report' });
    await expect.poll(() => adminRow.locator('[data-status]').textContent()).toContain('Revoked');
    expect(await adminRow.locator('td[data-label="Owner"]').textContent()).toBe(DANA.username);
  });

  it('fits a phone on the Account and Admin pages', async () => {
    const phone = await newPage(375);
    await signIn(phone, DANA.username, DANA.second, '/account');
    await phone.locator('[data-me="role"]').waitFor();
    await phone.locator('[data-sessions="own"] tbody tr').first().waitFor();
    await shoot(phone, 'account-375');
    await phone.context().close();

    const adminPhone = await newPage(375);
    await signIn(adminPhone, ADMIN.username, ADMIN.password, '/admin');
    await userRow(adminPhone, DANA.username).waitFor();
    await adminPhone.locator('[data-table="tokens-admin"] tbody tr').first().waitFor();
    await shoot(adminPhone, 'admin-375');
    await adminPhone.context().close();
  });

  it('revokes her sessions from the Admin page, which sends her next navigation to sign-in', async () => {
    await adminPage.reload();
    await userRow(adminPage, DANA.username).locator('button[name=user-sessions]').click();
    const dialog = adminPage.locator('[data-dialog="sessions"]');
    const rows = dialog.locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.first().textContent()).toContain('Chrome');
    await shoot(adminPage, 'admin-sessions-1280');
    while ((await rows.count()) > 0) {
      const before = await rows.count();
      await rows.first().locator('button', { hasText: 'Revoke' }).click();
      await expect.poll(() => rows.count()).toBe(before - 1);
    }
    expect(await dialog.textContent()).toContain('No active sessions');

    await danaPage.goto(`${served.base}/account`);
    await danaPage.waitForURL(`${served.base}/login?next=%2Faccount`);
  });

  it('says clearly when sign-in is locked after too many failures', async () => {
    const page = await newPage(1280);
    await page.goto(`${served.base}/login`);
    await page.fill('#username', 'nobody-here');
    const attempt = async (password: string) => {
      await page.fill('#password', password);
      const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/auth/login')), page.click('button[type=submit]')]);
      return answer.status();
    };
    for (let i = 0; i < LOGIN_LIMITS.failuresPerAccount; i++) expect(await attempt(`wrong-password-${i}`)).toBe(401);
    expect(await attempt('wrong-password-last')).toBe(429);
    const alert = page.locator('[role=alert]');
    await expect.poll(() => alert.textContent()).toContain('Sign-in temporarily locked');
    expect(await alert.textContent()).toMatch(/too many failed sign-ins; try again in \d+ minutes?/);
    await shoot(page, 'login-locked-1280');
    await page.context().close();
  });
});
