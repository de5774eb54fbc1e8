import type { INestApplication, LoggerService } from '@nestjs/common';

/** The signals an orchestrator (docker, Kubernetes, systemd) or a terminal stops the api with. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export interface CloseOnSignalsOptions {
  readonly logger: Pick<LoggerService, 'log' | 'error' | 'warn'>;
  /** A close that takes longer than this ends the process with exit code 1. */
  readonly timeoutMs?: number;
  /** Ends the process (tests replace it). */
  readonly exit?: (code: number) => void;
}

/**
 * On SIGTERM or SIGINT: close the app (stop the projections, committing the read models; stop
 * the followers; close the store), then exit 0. Nest's own shutdown hooks re-raise the signal
 * after closing, so a clean stop looked like a kill to the supervisor (exit 143). A close that
 * fails or hangs past `timeoutMs` exits 1; a second signal during the close exits at once with
 * 128 + the signal's number, as a shell reports a kill. Returns a function that removes the
 * signal handlers.
 */
export function closeOnSignals(app: Pick<INestApplication, 'close'>, options: CloseOnSignalsOptions): () => void {
  const { logger, timeoutMs = 30_000 } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let closing = false;
  const onSignal = (signal: (typeof STOP_SIGNALS)[number]) => {
    if (closing) {
      logger.warn(`${signal} again: stopping without waiting for the close`);
      exit(128 + (signal === 'SIGINT' ? 2 : 15));
      return;
    }
    closing = true;
    logger.log(`${signal}: shutting down`);
    const timer = setTimeout(() => {
      logger.error(`Shutdown did not finish within ${timeoutMs} ms: exiting`);
      exit(1);
    }, timeoutMs);
    timer.unref();
    app.close().then(
      () => {
        clearTimeout(timer);
        logger.log('Stopped cleanly');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        logger.error(`Shutdown failed: ${(error as Error)?.message ?? String(error)}`);
        exit(1);
      },
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  };
}
