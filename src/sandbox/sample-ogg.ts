/**
 * A short, silent OGG/Opus file made on the spot: what the sandbox plays for a voice note (its residents' notes
 * have no sound behind them) and what tests ship as a recording. Built by hand (Ogg pages with their CRC, the Opus
 * header packets, and 20 ms Opus silence frames) so that nothing needs an encoder or a download.
 */

const SAMPLES_PER_FRAME = 960; // 20 ms at 48 kHz
const PRE_SKIP = 312;
/** One 20 ms Opus frame that decodes to silence (CELT, full band, mono). */
const SILENT_FRAME = [0xf8, 0xff, 0xfe];

/** A silent voice note of `seconds` (default 2, at most 5), as the bytes of an .ogg file. */
export function silentOggOpus(seconds = 2, serial = 0x5350454e): Uint8Array {
  const frames = Math.max(1, Math.min(250, Math.round((seconds * 1000) / 20)));
  const head = Buffer.alloc(19);
  head.write("OpusHead", 0, "latin1");
  head.writeUInt8(1, 8); // version
  head.writeUInt8(1, 9); // channels
  head.writeUInt16LE(PRE_SKIP, 10);
  head.writeUInt32LE(48_000, 12);
  head.writeInt16LE(0, 16); // gain
  head.writeUInt8(0, 18); // mapping family
  const vendor = Buffer.from("spean sandbox", "latin1");
  const tags = Buffer.concat([Buffer.from("OpusTags", "latin1"), u32(vendor.length), vendor, u32(0)]);
  const audio = Array.from({ length: frames }, () => Buffer.from(SILENT_FRAME));
  return Buffer.concat([
    page([head], { first: true, last: false, granule: 0n, serial, sequence: 0 }),
    page([tags], { first: false, last: false, granule: 0n, serial, sequence: 1 }),
    page(audio, {
      first: false,
      last: true,
      granule: BigInt(PRE_SKIP + frames * SAMPLES_PER_FRAME),
      serial,
      sequence: 2,
    }),
  ]);
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

/** One Ogg page holding whole packets (each under 255 bytes, at most 255 of them). */
function page(
  packets: Buffer[],
  o: { first: boolean; last: boolean; granule: bigint; serial: number; sequence: number },
): Buffer {
  const header = Buffer.alloc(27 + packets.length);
  header.write("OggS", 0, "latin1");
  header.writeUInt8(0, 4);
  header.writeUInt8((o.first ? 0x02 : 0) | (o.last ? 0x04 : 0), 5);
  header.writeBigInt64LE(o.granule, 6);
  header.writeUInt32LE(o.serial, 14);
  header.writeUInt32LE(o.sequence, 18);
  header.writeUInt32LE(0, 22); // CRC, filled in below
  header.writeUInt8(packets.length, 26);
  packets.forEach((p, i) => header.writeUInt8(p.length, 27 + i));
  const bytes = Buffer.concat([header, ...packets]);
  bytes.writeUInt32LE(oggCrc(bytes), 22);
  return bytes;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, i) => {
  let r = i << 24;
  for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, initial value 0). */
function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] as number)) >>> 0;
  return crc;
}
