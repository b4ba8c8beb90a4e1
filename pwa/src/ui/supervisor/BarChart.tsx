/**
 * A horizontal bar chart in SVG: one row per group, its name and value written above its bar.
 * Lengths are percentages of the width, so the text never scales down on a narrow phone. The
 * chart is an image with a title and description; the same numbers are in the table beside it.
 */

import { barPercents } from "../../supervisor-api";

export interface Bar {
  label: string;
  value: number | null;
  text: string;
}

const ROW = 46;

export function BarChart({ id, title, desc, bars }: { id: string; title: string; desc: string; bars: Bar[] }) {
  const widths = barPercents(bars.map((b) => b.value));
  const height = Math.max(1, bars.length) * ROW + 4;
  return (
    <figure class="sup-chart">
      <figcaption class="sup-chart-title">{title}</figcaption>
      <svg role="img" aria-labelledby={`${id}-title ${id}-desc`} width="100%" height={height} class="sup-chart-svg" focusable="false">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        {bars.length === 0 && (
          <text x="0" y="20" class="sup-chart-text">No visits in this range</text>
        )}
        {bars.map((b, i) => (
          <g key={`${b.label}-${i}`}>
            <text x="0" y={i * ROW + 18} class="sup-chart-text">{`${b.label}: ${b.text}`}</text>
            <rect x="0" y={i * ROW + 24} width="100%" height="16" class="sup-chart-track" />
            {widths[i]! > 0 && <rect x="0" y={i * ROW + 24} width={`${widths[i]}%`} height="16" class="sup-chart-bar" />}
          </g>
        ))}
      </svg>
    </figure>
  );
}
