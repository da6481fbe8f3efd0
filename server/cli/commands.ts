import type { Command } from 'commander';

/** Each command lives in its own module and is listed here. */
export function commands(): Command[] {
  return [];
}
