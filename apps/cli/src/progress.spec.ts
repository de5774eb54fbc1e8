import { PassThrough } from 'node:stream';
import { ProgressReporter } from './progress.js';

/** A stream that is not a terminal (cron, a pipe, a log file), collecting what is written. */
function plainStream() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  return { stream, text: () => text };
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ProgressReporter', () => {
  it('writes plain lines, no bar or control characters, when the stream is not a terminal, and a last one at the end', async () => {
    const out = plainStream();
    const progress = new ProgressReporter(out.stream, { plainEveryMs: 20, plainAfterMs: 0 });
    for (let done = 0; done <= 1000; done += 100) {
      progress.update(done, 1000, 'verify');
      await tick(30);
    }
    progress.update(1000, 1000, 'verify');
    progress.stop();
    const lines = out.text().split('\n');
    expect(lines.at(-1)).toBe('');
    const written = lines.slice(0, -1);
    expect(written.length).toBeGreaterThanOrEqual(2);
    for (const line of written) expect(line).toMatch(/^verify: \d+\/1000 \(\d+%\), \d+s elapsed$/);
    expect(written.at(-1)).toMatch(/^verify: 1000\/1000 \(100%\)/);
    // No carriage return redrawing a line, no escape sequence (ESC, 0x1b) moving the cursor.
    expect(out.text()).not.toContain('\r');
    expect(out.text()).not.toContain(String.fromCharCode(0x1b));
  });

  it('counts when the total is unknown', async () => {
    const out = plainStream();
    const progress = new ProgressReporter(out.stream, { plainEveryMs: 20, plainAfterMs: 0 });
    progress.update(5, undefined, 'import');
    await tick(30);
    progress.update(42, undefined, 'import');
    progress.stop();
    expect(out.text().trimEnd().split('\n').at(-1)).toMatch(/^import: 42 events, \d+s elapsed$/);
  });

  it('says nothing about work that ends within the first interval', () => {
    const out = plainStream();
    const progress = new ProgressReporter(out.stream, { plainEveryMs: 60_000 });
    for (let done = 0; done <= 10; done++) progress.update(done, 10, 'export');
    progress.stop();
    expect(out.text()).toBe('');
  });
});
