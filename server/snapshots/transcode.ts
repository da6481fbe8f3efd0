// DuckDB reads UTF-8 only (the encodings extension cannot be installed offline), so text in
// another encoding is streamed through iconv-lite into a UTF-8 temp file first. UTF-16 announces
// itself with a byte-order mark; GBK/GB18030 cannot be told from bytes reliably and must be
// declared in the mapping (undeclared, DuckDB rejects the file as invalid UTF-8, see read.ts).
// Bytes the declared encoding cannot decode come out of iconv-lite as U+FFFD; they are written as
// a byte that is never valid UTF-8, so that DuckDB quarantines just the lines holding them.
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import iconv from 'iconv-lite';
import type { FileInput } from './inputs.ts';

/** The first `count` bytes of the file as stored, or of its decompressed content. */
export async function firstBytes(input: FileInput, count: number): Promise<Buffer> {
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

const INVALID_UTF8 = Buffer.from([0xff]);

function markUndecodable(): Transform {
  // iconv-lite may hand over text as strings or as UTF-8 buffers split anywhere, even mid-character
  const utf8 = new StringDecoder('utf8');
  const mark = (text: string) => Buffer.concat(text.split('\ufffd').flatMap((part, k) => (k ? [INVALID_UTF8, Buffer.from(part)] : [Buffer.from(part)])));
  return new Transform({
    decodeStrings: false,
    transform(chunk: string | Buffer, _encoding, done) {
      done(null, mark(typeof chunk === 'string' ? chunk : utf8.write(chunk)));
    },
    flush(done) {
      done(null, mark(utf8.end()));
    },
  });
}

const CR = Buffer.from('\r');
const LF = Buffer.from('\n');

/**
 * \r\n and a lone \r (an old Mac line end, or a file cut off after its \r) made \n, for DuckDB's
 * strict CSV reader, which takes one kind of line end per file and no stray \r.
 */
function lineEndsToLf(): Transform {
  let pending = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const data = pending ? Buffer.concat([CR, chunk]) : chunk;
      // a \r at the end of a chunk waits for the next one, which may start with its \n
      pending = data.at(-1) === 0x0d;
      done(null, Buffer.from(data.subarray(0, pending ? -1 : undefined).toString('latin1').replace(/\r\n?/g, '\n'), 'latin1'));
    },
    flush(done) {
      done(null, pending ? LF : null);
    },
  });
}

/** A decompressed copy of the input in workDir, passed through `transforms`. */
async function copy(input: FileInput, workDir: string, name: string, transforms: NodeJS.ReadWriteStream[]): Promise<FileInput> {
  const path = join(workDir, `${name}-${basename(input.path).replace(/\.gz$/i, '')}`);
  const source = input.compressed ? [createReadStream(input.path), createGunzip()] : [createReadStream(input.path)];
  await pipeline([...source, ...transforms, createWriteStream(path)]);
  return { ...input, path, compressed: false };
}

/** A file DuckDB can read: the input itself, or a UTF-8 copy in workDir (BOM stripped, decompressed). */
export async function utf8Input(input: FileInput, workDir: string, id: number): Promise<FileInput> {
  if (input.reader === 'parquet') return input;
  const encoding = await sourceEncoding(input);
  if (!encoding) return input;
  return copy(input, workDir, String(id), [iconv.decodeStream(encoding, { stripBOM: true }), markUndecodable()]);
}

/** A copy of a (UTF-8) text input with every line ending in \n. */
export async function lfInput(input: FileInput, workDir: string, id: number): Promise<FileInput> {
  return copy(input, workDir, `${id}-lf`, [lineEndsToLf()]);
}
