/**
 * The back-off pause of a log consumer between retries after a read failed; `interrupt()`
 * ends a pause at once so that stopping is prompt.
 */
export class InterruptibleDelay {
  private interruptCurrent: (() => void) | undefined;

  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.interruptCurrent = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interruptCurrent = done;
    });
  }

  interrupt(): void {
    this.interruptCurrent?.();
  }
}
