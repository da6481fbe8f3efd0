// Reading an archive front to back. An encrypted archive is read twice: once to check the
// AES-GCM tag, so nothing is written from a tampered archive or with a wrong passphrase, then
// again to take its contents.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { ArchiveError, DAMAGED, decodeHeader, decipherFor, MAX_HEADER, TAG_BYTES, type BackupFile, type BackupManifest, type Header } from './format.ts';

/** Consumes a stream of the body's bytes in exact amounts; `offset` is the archive byte reached. */
class BodyReader {
  private pending = Buffer.alloc(0);

  constructor(private readonly source: AsyncIterator<Buffer>, private offset: number) {}

  private async fill(): Promise<void> {
    const next = await this.source.next();
    if (next.done) throw new ArchiveError(`archive truncated at byte ${this.offset + this.pending.length}`);
    this.pending = Buffer.concat([this.pending, next.value]);
  }

  async take(n: number): Promise<Buffer> {
    while (this.pending.length < n) await this.fill();
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    this.offset += n;
    return out;
  }

  async *chunks(n: number): AsyncGenerator<Buffer> {
    for (let left = n; left > 0;) {
      if (!this.pending.length) await this.fill();
      const chunk = this.pending.subarray(0, left);
      this.pending = this.pending.subarray(chunk.length);
      this.offset += chunk.length;
      left -= chunk.length;
      yield chunk;
    }
  }

  async close(): Promise<void> {
    await this.source.return?.();
  }
}

/** Asked for only when an archive is encrypted. */
export type Passphrase = () => Promise<string>;

export interface OpenedArchive {
  path: string;
  manifest: BackupManifest;
  /** The files this archive holds, in order; each one's chunks must be consumed before the next. */
  files(): AsyncGenerator<{ file: BackupFile; chunks: AsyncGenerator<Buffer> }>;
  close(): Promise<void>;
}

async function readHeader(path: string): Promise<{ header: Header; size: number }> {
  const size = (await stat(path)).size;
  const fh = await open(path, 'r');
  try {
    const first = Buffer.alloc(Math.min(MAX_HEADER, size));
    await fh.read(first, 0, first.length, 0);
    return { header: decodeHeader(first, size), size };
  } finally {
    await fh.close();
  }
}

async function readTag(path: string, size: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const tag = Buffer.alloc(TAG_BYTES);
    await fh.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
    return tag;
  } finally {
    await fh.close();
  }
}

async function* bodyBytes(path: string, header: Header, size: number, passphrase: string | undefined): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { start: header.bytes.length, end: header.bytes.length + header.bodyLength - 1 });
  try {
    if (!header.crypto) {
      yield* stream as AsyncIterable<Buffer>;
      return;
    }
    const decipher = await decipherFor(header, passphrase!, await readTag(path, size));
    for await (const chunk of stream) yield decipher.update(chunk as Buffer);
    try {
      decipher.final();
    } catch {
      throw new ArchiveError(DAMAGED);
    }
  } finally {
    stream.destroy();
  }
}

/** Opens an archive: header checked, encryption tag verified, manifest read. */
export async function openArchive(path: string, askPassphrase: Passphrase): Promise<OpenedArchive> {
  const { header, size } = await readHeader(path);
  const passphrase = header.crypto ? await askPassphrase() : undefined;
  if (header.crypto) for await (const _ of bodyBytes(path, header, size, passphrase));
  const reader = new BodyReader(bodyBytes(path, header, size, passphrase), header.bytes.length);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse((await reader.take((await reader.take(4)).readUInt32BE(0))).toString('utf8')) as BackupManifest;
  } catch (err) {
    await reader.close();
    throw err instanceof ArchiveError ? err : new ArchiveError(DAMAGED);
  }
  if (manifest.format !== 1 || !Array.isArray(manifest.files)) throw new ArchiveError(DAMAGED);
  return {
    path,
    manifest,
    files: async function* () {
      for (const file of manifest.files.filter((f) => f.archive === manifest.id)) yield { file, chunks: reader.chunks(file.size) };
    },
    close: () => reader.close(),
  };
}
