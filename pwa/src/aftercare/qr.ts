/** A QR code's modules for a text (qrcode-generator, automatic size, medium error correction). */

import qrcode from "qrcode-generator";

/** Rows of dark (true) and light modules, without the quiet zone. */
export function qrModules(text: string): boolean[][] {
  const qr = qrcode(0, "M");
  qr.addData(text);
  qr.make();
  const n = qr.getModuleCount();
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => qr.isDark(r, c)));
}

/** One SVG path ("M x y h1 v1 h-1 z" per dark module) for the modules, offset by `margin`. */
export function qrPath(modules: boolean[][], margin = 4): string {
  const parts: string[] = [];
  modules.forEach((row, r) => row.forEach((dark, c) => {
    if (dark) parts.push(`M${c + margin} ${r + margin}h1v1h-1z`);
  }));
  return parts.join("");
}
