import { Presets, SingleBar } from 'cli-progress';

/** How often a progress line is written when stderr is not a terminal (cron, `docker exec` without -t, a log file). */
export const PLAIN_PROGRESS_EVERY_MS = 5_000;

export interface ProgressOptions {
  /** Plain output: a line this often (default PLAIN_PROGRESS_EVERY_MS). */
  readonly plainEveryMs?: number;
  /** Plain output: nothing for work that ends within this long (default plainEveryMs). */
  readonly plainAfterMs?: number;
}

/**
 * Progress of long CLI work (import, export, replay, verify) on stderr, through cli-progress: a bar
 * redrawn in place on a terminal; on anything else plain lines ("import: 45000/150000 (30%),
 * 10s elapsed"), one every few seconds and a last one at the end, so a cron job's log shows the
 * work moving — and nothing at all for work done within the first interval. Without a known
 * total it counts ("import: 45000 events").
 */
export class ProgressReporter {
  private bar?: SingleBar;
  private label?: string;
  private since = 0;
  private finished = false;
  private readonly tty: boolean;
  private readonly plainEveryMs: number;
  private readonly plainAfterMs: number;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    options: ProgressOptions = {},
  ) {
    this.tty = (stream as NodeJS.WriteStream).isTTY === true;
    this.plainEveryMs = options.plainEveryMs ?? PLAIN_PROGRESS_EVERY_MS;
    this.plainAfterMs = options.plainAfterMs ?? this.plainEveryMs;
  }

  /** `done` of `total` (undefined: unknown) for the work named `label`; reaching the total ends the bar. */
  update(done: number, total: number | undefined, label: string): void {
    const known = total !== undefined && total > 0;
    if (this.label !== label) {
      this.stop();
      this.label = label;
      this.since = performance.now();
      this.finished = false;
    }
    if (this.finished) return;
    if (!this.bar) {
      if (!this.tty && performance.now() - this.since < this.plainAfterMs) return;
      this.bar = new SingleBar(
        {
          stream: this.stream as NodeJS.WriteStream,
          noTTYOutput: true,
          notTTYSchedule: this.plainEveryMs,
          // A terminal keeps the finished bar; plain output ends with its last line, no blank one.
          clearOnComplete: !this.tty,
          hideCursor: this.tty,
          format: known
            ? this.tty
              ? `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`
              : `${label}: {value}/{total} ({percentage}%), {duration_formatted} elapsed`
            : `${label}: {value} events, {duration_formatted} elapsed`,
        },
        Presets.legacy,
      );
      this.bar.start(known ? total : 0, done);
    }
    if (known && this.bar.getTotal() !== total) this.bar.setTotal(total);
    this.bar.update(done);
    if (known && done >= total) {
      this.bar.stop();
      this.bar = undefined;
      this.finished = true;
    }
  }

  /** Ends the current bar (its last line written); safe to call when there is none. */
  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.label = undefined;
  }
}
