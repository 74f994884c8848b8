import { inflateSync } from 'node:zlib';

/*
 * Just enough of a PNG decoder to look at Chromium's screenshots: 8-bit greyscale, RGB or RGBA,
 * not interlaced. Enough to tell a rendered page from a blank one without an image library.
 */

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface DecodedPng {
  width: number;
  height: number;
  /** Bytes per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: number;
  pixels: Buffer;
}

export function isPng(bytes: Buffer): boolean {
  return bytes.length > PNG_SIGNATURE.length && bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE);
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function decodePng(bytes: Buffer): DecodedPng {
  if (!isPng(bytes)) throw new Error('not a PNG file');
  let offset = PNG_SIGNATURE.length;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    offset += 12 + length;
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const bitDepth = data[8];
      const colourType = data[9] ?? -1;
      const interlace = data[12];
      if (bitDepth !== 8 || interlace !== 0 || CHANNELS[colourType] === undefined) {
        throw new Error(`unsupported PNG: bit depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}`);
      }
      channels = CHANNELS[colourType] ?? 0;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
  }
  if (width === 0 || channels === 0) throw new Error('PNG without IHDR');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error('PNG image data is truncated');
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    const prior = (y - 1) * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? (pixels[out + x - channels] ?? 0) : 0;
      const b = y > 0 ? (pixels[prior + x] ?? 0) : 0;
      const c = y > 0 && x >= channels ? (pixels[prior + x - channels] ?? 0) : 0;
      const value = line[x] ?? 0;
      let decoded: number;
      switch (filter) {
        case 0:
          decoded = value;
          break;
        case 1:
          decoded = value + a;
          break;
        case 2:
          decoded = value + b;
          break;
        case 3:
          decoded = value + ((a + b) >> 1);
          break;
        case 4:
          decoded = value + paeth(a, b, c);
          break;
        default:
          throw new Error(`bad PNG filter ${filter} on row ${y}`);
      }
      pixels[out + x] = decoded & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

export interface PixelStats {
  total: number;
  /** Pixels clearly darker than paper: text, rules, bars (luminance below 160). */
  ink: number;
  /** Pixels within `tolerance` of each colour asked for, by colour. */
  colours: number[];
}

/** Counts dark pixels and pixels of given RGB colours. */
export function pixelStats(png: DecodedPng, colours: [number, number, number][] = [], tolerance = 24): PixelStats {
  const { pixels, channels } = png;
  const total = png.width * png.height;
  let ink = 0;
  const counts = colours.map(() => 0);
  for (let i = 0; i < total; i++) {
    const p = i * channels;
    const grey = channels < 3;
    const r = pixels[p] ?? 0;
    const g = grey ? r : (pixels[p + 1] ?? 0);
    const b = grey ? r : (pixels[p + 2] ?? 0);
    if (0.299 * r + 0.587 * g + 0.114 * b < 160) ink++;
    colours.forEach(([cr, cg, cb], k) => {
      if (Math.abs(r - cr) <= tolerance && Math.abs(g - cg) <= tolerance && Math.abs(b - cb) <= tolerance) counts[k] = (counts[k] ?? 0) + 1;
    });
  }
  return { total, ink, colours: counts };
}
