import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '@app/config';
import type { ProjectionProgress } from '../common/projection-progress.token.js';
import { ReadinessLog, assessProjections } from './readiness-log.js';

/** A projection runner `behind` events behind the store, in `state`. */
function progress(state: string, behind: number, position = 10n): ProjectionProgress & { behind: number; state: string } {
  const p = {
    state,
    behind,
    position,
    lag: async () => BigInt(p.behind),
    eventsBehind: async (limit: number) => Math.min(p.behind, limit),
    projections: () => [],
  };
  return p;
}

describe('assessProjections', () => {
  it('is up within READINESS_MAX_LAG, with eventsBehind a number', async () => {
    expect(await assessProjections(progress('live', 3), 1000)).toEqual({ up: true, details: { state: 'live', position: '10', eventsBehind: 3, maxLag: 1000 } });
  });

  it('is down beyond it, eventsBehind still a number (the count stops at maxLag + 1)', async () => {
    const verdict = await assessProjections(progress('catching-up', 150_000), 1000);
    expect(verdict).toEqual({
      up: false,
      details: { state: 'catching-up', position: '10', eventsBehind: 1001, maxLag: 1000, reason: 'more than 1000 events behind the store' },
    });
    expect(typeof verdict.details.eventsBehind).toBe('number');
  });

  it('is down when the runner is not running', async () => {
    expect(await assessProjections(progress('failed', 0), 5)).toMatchObject({ up: false, details: { state: 'failed', reason: 'the projection runner is failed' } });
  });
});

describe('ReadinessLog', () => {
  const config = { readinessMaxLag: 100 } as AppConfig;
  let warn: jest.SpiedFunction<Logger['warn']>;
  let log: jest.SpiedFunction<Logger['log']>;
  let debug: jest.SpiedFunction<Logger['debug']>;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('logs a change of readiness once: not ready with why, then ready again; repeats only at debug', () => {
    const readiness = new ReadinessLog(progress('live', 0), config);
    readiness.observe(true, 'fine');
    readiness.observe(false, 'projections: behind');
    readiness.observe(false, 'projections: behind');
    readiness.observe(false, 'projections: behind');
    readiness.observe(true, 'projections caught up');
    readiness.observe(true, 'projections caught up');
    expect(warn.mock.calls.map((c) => c[0])).toEqual(['Not ready: projections: behind']);
    expect(log.mock.calls.map((c) => c[0])).toEqual([expect.stringMatching(/^Ready after \d+\.\d s: projections caught up$/)]);
    expect(debug).toHaveBeenCalledTimes(2);
  });

  it('says by itself when the projections have caught up after the start, with nobody probing', async () => {
    const behind = progress('catching-up', 5000);
    const readiness = new ReadinessLog(behind, config);
    readiness.onApplicationBootstrap();
    try {
      await until(() => warn.mock.calls.length > 0);
      expect(warn.mock.calls[0][0]).toBe('Not ready: projections: more than 100 events behind the store (catching-up, at position 10)');
      behind.behind = 0;
      behind.state = 'live';
      await until(() => log.mock.calls.length > 0);
      expect(log.mock.calls[0][0]).toMatch(/^Ready after \d+\.\d s: projections caught up: 0 events behind at position 10 \(live\)$/);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      readiness.onApplicationShutdown();
    }
  }, 30_000);
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}
