import { closeOnSignals } from './shutdown.js';

const logger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** Runs closeOnSignals with `close`, emits `signals` in turn, and resolves with the exit codes asked for. */
async function stop(close: () => Promise<void>, signals: ('SIGTERM' | 'SIGINT')[], timeoutMs?: number): Promise<number[]> {
  const codes: number[] = [];
  let exited!: () => void;
  const done = new Promise<void>((resolve) => (exited = resolve));
  const dispose = closeOnSignals({ close }, { logger, timeoutMs, exit: (code) => { codes.push(code); exited(); } });
  try {
    for (const signal of signals) process.emit(signal, signal);
    await done;
    return codes;
  } finally {
    dispose();
  }
}

describe('closeOnSignals', () => {
  it('closes the app and exits 0 on SIGTERM, and on SIGINT', async () => {
    let closed = 0;
    expect(await stop(async () => void closed++, ['SIGTERM'])).toEqual([0]);
    expect(await stop(async () => void closed++, ['SIGINT'])).toEqual([0]);
    expect(closed).toBe(2);
  });

  it('exits 1 when the close fails', async () => {
    expect(await stop(() => Promise.reject(new Error('store would not close')), ['SIGTERM'])).toEqual([1]);
  });

  it('exits 1 when the close hangs past the timeout', async () => {
    expect(await stop(() => new Promise<void>(() => undefined), ['SIGTERM'], 50)).toEqual([1]);
  });

  it('a second signal during the close exits at once with 128 + its number', async () => {
    expect(await stop(() => new Promise<void>(() => undefined), ['SIGTERM', 'SIGINT'], 60_000)).toEqual([130]);
  });
});
