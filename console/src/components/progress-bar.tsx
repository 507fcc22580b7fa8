/** A labelled progress bar (the native element, so assistive technology reads the value). */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  const clamped = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <span class="progress">
      <progress max={100} value={clamped} aria-label={label} />
      <span aria-hidden="true">{clamped}%</span>
    </span>
  );
}
