import { messageOf } from '$lib/api';

/**
 * A list read from the server whose rows have confirmed actions (revoke, reset): one row is busy
 * while its action runs, the list is read again afterwards, and a failure of either is the list's
 * error, shown with a retry.
 */
export class RemoteList<T> {
  items = $state<T[] | null>(null);
  error = $state<string | null>(null);
  /** key of the row whose action is running */
  busy = $state<string | null>(null);

  constructor(private readonly read: () => Promise<T[]>) {}

  load = async (): Promise<void> => {
    this.error = null;
    try {
      this.items = await this.read();
    } catch (err) {
      this.error = messageOf(err);
    }
  };

  /** Runs `action` on row `key` if the user confirms `question`, then reads the list again. */
  act = async (key: string, question: string, action: () => Promise<void>): Promise<boolean> => {
    if (!confirm(question)) return false;
    this.busy = key;
    this.error = null;
    try {
      await action();
      await this.load();
      return true;
    } catch (err) {
      this.error = messageOf(err);
      return false;
    } finally {
      this.busy = null;
    }
  };
}
