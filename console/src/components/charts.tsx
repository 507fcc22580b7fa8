/**
 * Small inline SVG charts (no chart library): horizontal bars with a scale
 * and an optional threshold line. Each chart is an image with a text
 * alternative, followed by the same numbers as a table for screen readers.
 */
export interface Bar {
  label: string;
  value: number;
}

const BAR_HEIGHT = 22;
const LABEL_WIDTH = 130;
const WIDTH = 460;

export function BarChart({ title, bars, unit = '', threshold, digits = 2 }: { title: string; bars: Bar[]; unit?: string; threshold?: { value: number; label: string }; digits?: number }) {
  if (!bars.length) return <p class="muted">{title}: no data.</p>;
  const max = Math.max(...bars.map((bar) => bar.value), threshold?.value ?? 0) || 1;
  const plot = WIDTH - LABEL_WIDTH - 70;
  const height = bars.length * (BAR_HEIGHT + 6) + 8;
  const x = (value: number) => LABEL_WIDTH + (value / max) * plot;
  const summary = bars.map((bar) => `${bar.label} ${bar.value.toFixed(digits)}${unit}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} width={WIDTH} height={height} role="img" aria-label={`${title}: ${summary}`}>
        {bars.map((bar, index) => {
          const y = 4 + index * (BAR_HEIGHT + 6);
          const over = threshold && bar.value >= threshold.value;
          return (
            <g key={bar.label}>
              <text x={LABEL_WIDTH - 8} y={y + BAR_HEIGHT / 2 + 4} text-anchor="end" class="chart-label">
                {bar.label}
              </text>
              <rect x={LABEL_WIDTH} y={y} width={Math.max(1, x(bar.value) - LABEL_WIDTH)} height={BAR_HEIGHT} class={over ? 'bar bar-alert' : 'bar'} />
              <text x={x(bar.value) + 6} y={y + BAR_HEIGHT / 2 + 4} class="chart-value">
                {bar.value.toFixed(digits)}
                {unit}
              </text>
            </g>
          );
        })}
        {threshold && <line x1={x(threshold.value)} x2={x(threshold.value)} y1={0} y2={height} class="threshold" />}
      </svg>
      {threshold && <p class="muted small">Line: {threshold.label}</p>}
    </figure>
  );
}
