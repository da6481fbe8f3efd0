// The archive layout, documented in README "Backup and restore":
//   header  "VIGILBK1" | flags u8 (1 = encrypted) | body length u64 BE
//           [encrypted: scrypt log2(N) u8 | salt 16 bytes | IV 12 bytes]
//   body    manifest length u32 BE | manifest JSON | the bytes of each file the manifest says this
//           archive holds, in manifest order (sizes are in the manifest)
//   trailer [encrypted: AES-256-GCM tag, 16 bytes]
// With encryption the whole body is one AES-256-GCM message and the header is its additional
// authenticated data, so a changed flag or length is caught like a changed byte of the body.
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type CipherGCM, type DecipherGCM } from 'node:crypto';
import { promisify } from 'node:util';

const MAGIC = Buffer.from('VIGILBK1');
const PLAIN_HEADER = MAGIC.length + 1 + 8;
const SALT_BYTES = 16;
const IV_BYTES = 12;
export const TAG_BYTES = 16;
// 2^15 × r=8 needs 32 MiB; memory-hard enough to slow guessing, quick enough for a CLI
const SCRYPT_LOG_N = 15;

export class ArchiveError extends Error {}
export const DAMAGED = 'wrong passphrase or damaged archive';

export interface BackupFile {
  /** relative to the data folder, '/'-separated: 'vigil.duckdb' or 'snapshots/<id>/<file>' */
  path: string;
  size: number;
  sha256: string;
  /** id of the archive holding the bytes: this one, or a base of an incremental backup */
  archive: string;
}

export interface BackupManifest {
  format: 1;
  id: string;
  createdAt: string;
  vigilVersion: string;
  /** archives an incremental backup needs, by id: the path each had when this one was made */
  bases: Record<string, string>;
  files: BackupFile[];
}

export interface Header {
  bytes: Buffer;
  bodyLength: number;
  crypto?: { logN: number; salt: Buffer; iv: Buffer };
}

export function encodeHeader(bodyLength: number, encrypted: boolean): Header {
  const crypto = encrypted ? { logN: SCRYPT_LOG_N, salt: randomBytes(SALT_BYTES), iv: randomBytes(IV_BYTES) } : undefined;
  const fixed = Buffer.alloc(PLAIN_HEADER);
  MAGIC.copy(fixed);
  fixed.writeUInt8(encrypted ? 1 : 0, MAGIC.length);
  fixed.writeBigUInt64BE(BigInt(bodyLength), MAGIC.length + 1);
  const bytes = crypto ? Buffer.concat([fixed, Buffer.from([crypto.logN]), crypto.salt, crypto.iv]) : fixed;
  return { bytes, bodyLength, crypto };
}

/** Parses the header from the archive's first bytes; `fileSize` catches a cut archive before any reading. */
export function decodeHeader(first: Buffer, fileSize: number): Header {
  if (first.length < PLAIN_HEADER || !first.subarray(0, MAGIC.length).equals(MAGIC)) throw new ArchiveError('not a Vigil backup archive');
  const flags = first.readUInt8(MAGIC.length);
  if (flags > 1) throw new ArchiveError(DAMAGED);
  const bodyLength = Number(first.readBigUInt64BE(MAGIC.length + 1));
  let header: Header = { bytes: first.subarray(0, PLAIN_HEADER), bodyLength };
  if (flags === 1) {
    const end = PLAIN_HEADER + 1 + SALT_BYTES + IV_BYTES;
    if (first.length < end) throw new ArchiveError(`archive truncated at byte ${fileSize}`);
    const logN = first.readUInt8(PLAIN_HEADER);
    if (logN < SCRYPT_LOG_N || logN > 20) throw new ArchiveError(DAMAGED);
    header = {
      bytes: first.subarray(0, end),
      bodyLength,
      crypto: { logN, salt: first.subarray(PLAIN_HEADER + 1, PLAIN_HEADER + 1 + SALT_BYTES), iv: first.subarray(PLAIN_HEADER + 1 + SALT_BYTES, end) },
    };
  }
  const expected = header.bytes.length + bodyLength + (header.crypto ? TAG_BYTES : 0);
  if (fileSize < expected) throw new ArchiveError(`archive truncated at byte ${fileSize} (expected ${expected} bytes)`);
  if (fileSize > expected) throw new ArchiveError(DAMAGED);
  return header;
}

/** Longest header there is: enough bytes to read before decoding. */
export const MAX_HEADER = PLAIN_HEADER + 1 + SALT_BYTES + IV_BYTES;

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

async function keyOf(passphrase: string, crypto: NonNullable<Header['crypto']>): Promise<Buffer> {
  const N = 2 ** crypto.logN;
  return scryptAsync(passphrase, crypto.salt, 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 });
}

export async function cipherFor(header: Header, passphrase: string): Promise<CipherGCM> {
  const cipher = createCipheriv('aes-256-gcm', await keyOf(passphrase, header.crypto!), header.crypto!.iv);
  cipher.setAAD(header.bytes);
  return cipher;
}

export async function decipherFor(header: Header, passphrase: string, tag: Buffer): Promise<DecipherGCM> {
  const decipher = createDecipheriv('aes-256-gcm', await keyOf(passphrase, header.crypto!), header.crypto!.iv);
  decipher.setAAD(header.bytes);
  decipher.setAuthTag(tag);
  return decipher;
}

export function manifestPrefix(manifest: BackupManifest): Buffer {
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([length, json]);
}
