/** Turns progress estimates into whole, rising percentages, each reported once. */
export function createProgressReporter(onProgress: ((percent: number) => void) | undefined): { report(percent: number): void } {
  let last = -1;
  return {
    report(percent) {
      const whole = Math.floor(percent);
      if (!onProgress || whole <= last) return;
      last = whole;
      onProgress(whole);
    },
  };
}
