// Who is signed in, and which snapshot the app is showing. Shared reactive state (runes).

import { get, post, ApiError } from './api';
import type { Health, Manifest, User } from './types';

interface MeReply {
  user: User;
}

class Session {
  /** null until the app layout has checked the session */
  user = $state<User | null>(null);

  get isAdmin(): boolean {
    return this.user?.role === 'admin';
  }

  /** Ask the server who we are; null when there is no valid session. */
  async check(fetcher?: typeof fetch): Promise<User | null> {
    try {
      const reply = await get<MeReply>('/api/auth/me', { fetch: fetcher, on401: 'throw' });
      this.user = reply.user;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.user = null;
        return null;
      }
      throw err;
    }
    return this.user;
  }

  async login(username: string, password: string): Promise<User> {
    const reply = await post<MeReply>('/api/auth/login', { username, password }, { on401: 'throw' });
    this.user = reply.user;
    return reply.user;
  }

  async logout(): Promise<void> {
    try {
      await post<void>('/api/auth/logout', undefined, { on401: 'throw' });
    } catch (err) {
      // an already-expired session is as good as signed out
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    }
    this.user = null;
    snapshots.reset();
  }
}

export const session = new Session();

interface SnapshotsReply {
  snapshots: Manifest[];
}

class Snapshots {
  /** newest first; null until loaded */
  list = $state<Manifest[] | null>(null);
  health = $state<Health | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);

  /** The snapshot dashboards show: the newest published one. */
  get current(): Manifest | null {
    return this.list?.[0] ?? null;
  }

  async load(): Promise<void> {
    this.loading = true;
    try {
      const reply = await get<SnapshotsReply>('/api/snapshots');
      this.list = reply.snapshots;
      this.error = null;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.loading = false;
    }
  }

  async loadHealth(): Promise<void> {
    try {
      this.health = await get<Health>('/api/health');
    } catch {
      this.health = null;
    }
  }

  reset(): void {
    this.list = null;
    this.error = null;
    this.health = null;
  }
}

export const snapshots = new Snapshots();
