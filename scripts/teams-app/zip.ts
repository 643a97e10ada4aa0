// A zip archive writer for the Teams app package (manifest.json and the icons at its root), on node:zlib alone:
// no `zip` binary on the machine, no dependency. Entries are deflated (method 8) and dated 1980-01-01 00:00,
// the earliest DOS date, so the same files always give the same bytes.
import { deflateRawSync } from 'node:zlib';
import { crc32 } from './crc32.js';

export interface ZipEntry {
  /** The path inside the archive, `/`-separated (here: a file name at the root). */
  name: string;
  data: Uint8Array;
}

const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;
const VERSION = 20; // 2.0: deflate

/** The header fields a local file header and a central directory record share, from "version needed" on. */
function common(e: { crc: number; size: number; packed: number; name: Buffer }): Buffer {
  const b = Buffer.alloc(26);
  b.writeUInt16LE(VERSION, 0); // version needed to extract
  b.writeUInt16LE(0x0800, 2); // flags: the name is UTF-8
  b.writeUInt16LE(8, 4); // method: deflate
  b.writeUInt16LE(0, 6); // time 00:00:00
  b.writeUInt16LE(DOS_DATE_1980_01_01, 8);
  b.writeUInt32LE(e.crc, 10);
  b.writeUInt32LE(e.packed, 14);
  b.writeUInt32LE(e.size, 18);
  b.writeUInt16LE(e.name.length, 22);
  b.writeUInt16LE(0, 24); // extra field length
  return b;
}

/** The archive of `entries`, in their order (no zip64: every entry and the whole archive stay under 4 GiB). */
export function zipFiles(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const packed = deflateRawSync(entry.data, { level: 9 });
    const fields = common({ crc: crc32(entry.data), size: entry.data.length, packed: packed.length, name });
    const local = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), fields, name, packed]);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(VERSION, 4); // version made by (MS-DOS, 2.0)
    fields.copy(central, 6);
    // comment length, disk number, internal attributes, external attributes: all 0
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    locals.push(local);
    offset += local.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8); // entries on this disk
  end.writeUInt16LE(entries.length, 10); // entries in all
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
