/**
 * A probe the benchmarks load into the bench server (`node --import ./bench/support/server-probe.mjs`)
 * when BENCH_PROBE_FILE names a file: once a second it appends one JSON line with what the process
 * did in that second, so a latency timeline measured by the load generator can be laid beside it.
 *
 *   t        wall clock at the end of the second, ms since the epoch (Date.now())
 *   cpu      process CPU (user + system, all threads: main, GC helpers, libuv pool), ms
 *   elu      event-loop utilization of the main thread in that second (0–1)
 *   delay    event-loop delay beyond the sampling interval (perf_hooks monitorEventLoopDelay,
 *            1 ms resolution): p50 / p99 / max, ms — a callback that runs 80 ms shows as max ≈ 80
 *   gc       pause time by kind (minor = scavenge, major = mark-compact, incremental, weak), ms,
 *            and the count of each
 *   heap     used heap at the end of the second, MB
 *   main     the main thread's time from /proc/self/task/<pid>/schedstat, ms: [on a CPU, runnable
 *            but waiting for one (other processes had the cores)]; the rest of the loop's busy
 *            time (elu × 1000 − both) is time blocked in a system call, such as SQLite's fsync
 *
 * Nothing of the api is touched: this observes the process from outside its code.
 */
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { appendFileSync, readFileSync } from 'node:fs';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  // Node 20's entry.detail.kind: NODE_PERFORMANCE_GC_MINOR 1, _MAJOR 4, _INCREMENTAL 8, _WEAKCB 16.
  const KINDS = { 1: 'minor', 4: 'major', 8: 'incremental', 16: 'weak' };
  let gc = {};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const flag = entry.detail?.kind;
      const kind = KINDS[flag] ?? `kind${flag}`;
      const slot = (gc[kind] ??= { ms: 0, n: 0 });
      slot.ms += entry.duration;
      slot.n += 1;
    }
  }).observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  // schedstat: ns on a CPU, ns waiting on a run queue, timeslices (Linux; absent elsewhere).
  const schedstat = () => {
    try {
      const [run, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
      return { run, wait };
    } catch {
      return undefined;
    }
  };
  let sched = schedstat();
  let cpu = process.cpuUsage();
  let elu = performance.eventLoopUtilization();
  const round = (n) => Math.round(n * 10) / 10;
  const timer = setInterval(() => {
    const cpuNow = process.cpuUsage();
    const eluNow = performance.eventLoopUtilization();
    const schedNow = schedstat();
    const line = {
      t: Date.now(),
      cpu: round((cpuNow.user - cpu.user + cpuNow.system - cpu.system) / 1000),
      elu: round(performance.eventLoopUtilization(eluNow, elu).utilization * 100) / 100,
      delay: [round(delay.percentile(50) / 1e6), round(delay.percentile(99) / 1e6), round(delay.max / 1e6)],
      gc: Object.fromEntries(Object.entries(gc).map(([k, v]) => [k, [round(v.ms), v.n]])),
      heap: round(process.memoryUsage().heapUsed / 2 ** 20),
      main: sched && schedNow ? [round((schedNow.run - sched.run) / 1e6), round((schedNow.wait - sched.wait) / 1e6)] : undefined,
    };
    sched = schedNow;
    cpu = cpuNow;
    elu = eluNow;
    gc = {};
    delay.reset();
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, 1000);
  timer.unref();
}
