import { quietMoment } from './quiet-moment.js';

/** A measure that answers the given utilizations in turn and records the looks asked for. */
function scripted(utilizations: number[]) {
  const looks: number[] = [];
  return {
    looks,
    measure: async (ms: number) => {
      looks.push(ms);
      if (looks.length > utilizations.length) throw new Error('looked more often than scripted');
      return utilizations[looks.length - 1];
    },
  };
}

describe('quietMoment', () => {
  it('goes on after one look when the event loop is quiet', async () => {
    const m = scripted([0.1]);
    await expect(quietMoment({ measure: m.measure, sampleMs: 25 })).resolves.toBe(1);
    expect(m.looks).toEqual([25]);
  });

  it('waits while the loop is busier than the threshold, and goes on when it is not', async () => {
    const m = scripted([0.95, 0.8, 0.51, 0.5]);
    await expect(quietMoment({ measure: m.measure, maxUtilization: 0.5 })).resolves.toBe(4);
  });

  it('is never starved: goes on after maxWaitMs even if the loop stays busy', async () => {
    const m = scripted(Array<number>(10).fill(1));
    await expect(quietMoment({ measure: m.measure, sampleMs: 20, maxWaitMs: 100 })).resolves.toBe(5);
    expect(m.looks).toHaveLength(5);
  });

  it('stops waiting once its signal is aborted', async () => {
    const controller = new AbortController();
    const m = scripted(Array<number>(10).fill(1));
    const measure = async (ms: number) => {
      const u = await m.measure(ms);
      if (m.looks.length === 2) controller.abort();
      return u;
    };
    await expect(quietMoment({ measure, signal: controller.signal })).resolves.toBe(2);
    await expect(quietMoment({ measure, signal: controller.signal })).resolves.toBe(0);
  });

  it('measures the real event loop by default: a loop kept busy is not quiet, an idle one is', async () => {
    // Busy: one callback after another, each burning 5 ms, with no wait between them (setImmediate
    // runs in the next turn without sleeping), so the loop is busy whatever the machine's load.
    let burning = true;
    const burn = () => {
      if (!burning) return;
      const until = performance.now() + 5;
      while (performance.now() < until);
      setImmediate(burn);
    };
    setImmediate(burn);
    try {
      // Every look finds it busy: it goes on only when maxWaitMs is up, after three looks.
      await expect(quietMoment({ sampleMs: 50, maxWaitMs: 150, maxUtilization: 0.3 })).resolves.toBe(3);
    } finally {
      burning = false;
    }
    // An idle loop passes long before its wait is up (200 looks): a look or a few, however busy
    // the machine's other processes keep its cores.
    const looks = await quietMoment({ sampleMs: 50, maxWaitMs: 10_000, maxUtilization: 0.3 });
    expect(looks).toBeLessThan(200);
  }, 30_000);
});
