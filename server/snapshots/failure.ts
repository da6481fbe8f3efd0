/**
 * A whole-input failure: the input cannot become a snapshot at all (missing folder, no orders, an
 * unreadable file, a broken mapping, nothing accepted). The message is one line a user can act on;
 * the CLI prints it and exits non-zero, and the previous snapshot is never touched.
 */
export class IngestError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'IngestError';
  }
}
