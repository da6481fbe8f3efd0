// DuckDB reads UTF-8 only (the encodings extension cannot be installed offline), so text in
// another encoding is streamed through iconv-lite into a UTF-8 temp file first. UTF-16 announces
// itself with a byte-order mark; GBK/GB18030 cannot be told from bytes reliably and must be
// declared in the mapping (undeclared, DuckDB rejects the file as invalid UTF-8, see read.ts).
import { createReadStream, createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import iconv from 'iconv-lite';
import type { FileInput } from './inputs.ts';

async function firstBytes(input: FileInput, count: number): Promise<Buffer> {
  const raw = createReadStream(input.path, input.compressed ? {} : { end: count - 1 });
  const stream = input.compressed ? raw.pipe(createGunzip()) : raw;
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= count) break;
    }
  } finally {
    raw.destroy();
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, count);
}

/** The encoding to transcode from, or undefined when DuckDB can read the file as it is. */
async function sourceEncoding(input: FileInput): Promise<string | undefined> {
  const head = await firstBytes(input, 2);
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const declared = input.encoding?.toLowerCase();
  // A UTF-8 byte-order mark is skipped by DuckDB's CSV and JSON readers themselves.
  return declared === undefined || declared === 'utf-8' || declared === 'utf8' ? undefined : declared;
}

/** A file DuckDB can read: the input itself, or a UTF-8 copy in workDir (BOM stripped, decompressed). */
export async function utf8Input(input: FileInput, workDir: string, id: number): Promise<FileInput> {
  if (input.reader === 'parquet') return input;
  const encoding = await sourceEncoding(input);
  if (!encoding) return input;
  const path = join(workDir, `${id}-${basename(input.path).replace(/\.gz$/i, '')}`);
  const decode = iconv.decodeStream(encoding, { stripBOM: true });
  if (input.compressed) await pipeline(createReadStream(input.path), createGunzip(), decode, createWriteStream(path));
  else await pipeline(createReadStream(input.path), decode, createWriteStream(path));
  return { ...input, path, compressed: false };
}
