/** A QR code as inline SVG (no script-made image, nothing fetched): one path of dark modules. */

import { qrModules, qrPath } from "../aftercare/qr";

export function QrCode({ text, label }: { text: string; label: string }) {
  const modules = qrModules(text);
  const size = modules.length + 8;
  return (
    <svg class="qr-code" role="img" aria-label={label} viewBox={`0 0 ${size} ${size}`} width="180" height="180" shape-rendering="crispEdges" data-testid="survey-qr" data-modules={modules.length}>
      <rect width={size} height={size} fill="#fff" />
      <path d={qrPath(modules)} fill="#000" />
    </svg>
  );
}
