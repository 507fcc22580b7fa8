import { PassThrough } from 'stream';
import { ProgressDisplay, renderBar } from '../../src/cli/progress-bar';

function capture(tty: boolean) {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (chunk) => (written += chunk));
  const display = new ProgressDisplay(stream as unknown as NodeJS.WriteStream, tty);
  return { display, output: () => written };
}

describe('progress display', () => {
  it('renders a bar with the percentage, clamped to 0..100', () => {
    expect(renderBar({ label: 'train 1a2b', status: 'running', percent: 33.4 })).toBe('[##########--------------------]  33% train 1a2b running');
    expect(renderBar({ label: 'x', status: 'queued', percent: -5 })).toBe(`[${'-'.repeat(30)}]   0% x queued`);
    expect(renderBar({ label: 'x', status: 'succeeded', percent: 140 })).toBe(`[${'#'.repeat(30)}] 100% x succeeded`);
  });

  it('redraws one line in place on a terminal and keeps log lines above it', () => {
    const { display, output } = capture(true);

    display.update({ label: 'job', status: 'running', percent: 10 });
    display.message('step 1');
    display.update({ label: 'job', status: 'running', percent: 50 });
    display.finish();

    expect(output()).toBe(
      `\r\x1b[2K${renderBar({ label: 'job', status: 'running', percent: 10 })}` +
        `\r\x1b[2Kstep 1\n${renderBar({ label: 'job', status: 'running', percent: 10 })}` +
        `\r\x1b[2K${renderBar({ label: 'job', status: 'running', percent: 50 })}\n`,
    );
  });

  it('writes plain lines, only when something changed, when not a terminal', () => {
    const { display, output } = capture(false);

    display.update({ label: 'job', status: 'running', percent: 10 });
    display.update({ label: 'job', status: 'running', percent: 10 });
    display.message('step 1');
    display.update({ label: 'job', status: 'succeeded', percent: 100 });
    display.finish();

    expect(output().split('\n')).toEqual([
      renderBar({ label: 'job', status: 'running', percent: 10 }),
      'step 1',
      renderBar({ label: 'job', status: 'succeeded', percent: 100 }),
      '',
    ]);
  });
});
