/**
 * Hand-made tar archives for the scanning tests: ustar headers with valid checksums, optional
 * GNU long names, so the tar reader is checked against bytes written to the format, not by it.
 */

/** One entry to write: a regular file (with `data`), a directory (`type: '5'`), or a whiteout file. */
export interface TarSpec {
  path: string;
  data?: string | Buffer;
  type?: string;
}

function header(name: string, size: number, type: string, prefix = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  h.write('00000000000\0', 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);

/** A tar archive of `entries`, paths over 100 bytes written with a GNU `L` long-name entry. */
export function tarOf(entries: TarSpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    if (Buffer.byteLength(e.path) > 100) {
      const long = Buffer.from(`${e.path}\0`);
      parts.push(header('././@LongLink', long.length, 'L'), pad(long));
    }
    parts.push(header(e.path.slice(0, 100), data.length, e.type ?? '0'), pad(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
