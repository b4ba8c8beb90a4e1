// Draws the app icons (a white house with a yellow door on Doorstep blue) as PNG files in
// public/icons. Run with `node scripts/make-icons.mjs`; the PNGs are committed.
import { writeFileSync, mkdirSync } from "node:fs";
import { deflateSync } from "node:zlib";

const BLUE = [11, 45, 107, 255];
const WHITE = [255, 255, 255, 255];
const YELLOW = [255, 204, 0, 255];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const p = pixel((x + 0.5) / size, (y + 0.5) / size);
      raw.set(p, y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
// The house in a unit square, scaled by `s` around the centre (maskable icons keep to 80%).
function house(s, rounded) {
  return (u, v) => {
    if (rounded) {
      const r = 0.18, cx = Math.min(Math.max(u, r), 1 - r), cy = Math.min(Math.max(v, r), 1 - r);
      if ((u - cx) ** 2 + (v - cy) ** 2 > r * r) return [0, 0, 0, 0];
    }
    const x = (u - 0.5) / s + 0.5, y = (v - 0.5) / s + 0.5;
    const roof = y >= 0.2 && y <= 0.48 && Math.abs(x - 0.5) <= (y - 0.2) * (0.32 / 0.28) + 0.0;
    const body = x >= 0.24 && x <= 0.76 && y >= 0.46 && y <= 0.82;
    const door = x >= 0.44 && x <= 0.56 && y >= 0.6 && y <= 0.82;
    if (door) return YELLOW;
    if (roof || body) return WHITE;
    return BLUE;
  };
}
mkdirSync("public/icons", { recursive: true });
writeFileSync("public/icons/icon-192.png", png(192, house(1, true)));
writeFileSync("public/icons/icon-512.png", png(512, house(1, true)));
writeFileSync("public/icons/maskable-512.png", png(512, house(0.7, false)));
writeFileSync("public/icons/apple-touch-icon.png", png(180, house(0.85, false)));
writeFileSync(
  "public/icons/icon.svg",
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><rect width="100" height="100" rx="18" fill="#0b2d6b"/><path d="M50 20 82 48H18Z" fill="#fff"/><rect x="24" y="46" width="52" height="36" fill="#fff"/><rect x="44" y="60" width="12" height="22" fill="#ffcc00"/></svg>\n`,
);
console.log("icons written");
