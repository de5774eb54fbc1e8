import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** V8's .cpuprofile (what `node --cpu-prof` writes). */
interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly children?: readonly number[];
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }>;
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileLine {
  readonly name: string;
  readonly where: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly file: string;
  /** Sampled time inside the window, in ms. */
  readonly totalMs: number;
  readonly windowMs: number;
  /** Top functions by self time. */
  readonly functions: readonly ProfileLine[];
  /** Self time by package (node_modules), repository folder, Node internals or V8 bucket. */
  readonly groups: readonly ProfileLine[];
  /**
   * Functions of this repository (apps/, libs/) by inclusive time: samples with the function
   * anywhere on the stack. Synchronous stretches only: after an await, a stack starts afresh.
   */
  readonly inclusive: readonly ProfileLine[];
}

/** Monotonic clock in µs: the same clock V8 stamps profiles with on Linux (CLOCK_MONOTONIC). */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

function groupOf(url: string, functionName: string, root: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (path.startsWith('node:')) return 'node internals';
  const rel = relative(root, path);
  const segments = rel.split('/');
  if (segments[0] === 'libs' || segments[0] === 'apps') return segments.slice(0, segments[0] === 'apps' ? 4 : 2).join('/');
  return segments[0];
}

/**
 * Self time per function and per package of the one profile in `dir`, counting only samples
 * taken between `fromUs` and `toUs` (monotonic µs; absent: the whole profile), or inside any of
 * several such windows. Paths are shown relative to `root` (the profiled source tree).
 */
export function summariseProfile(
  dir: string,
  window?: { fromUs: number; toUs: number } | ReadonlyArray<{ fromUs: number; toUs: number }>,
  top = 15,
  root = process.cwd(),
): ProfileSummary {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  const file = join(dir, files[0]);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const inclusive = new Map<string, { name: string; where: string; us: number }>();
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const groups = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  const windows = window === undefined ? [{ fromUs: -Infinity, toUs: Infinity }] : 'fromUs' in window ? [window] : window;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (!windows.some((w) => t >= w.fromUs && t <= w.toUs)) continue;
    // A sample's time is the gap to the next sample; the delta before it is a fine estimate.
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const shortUrl = url ? relative(root, url.replace(/^file:\/\//, '')).replace(/^.*node_modules\//, '') : '';
    const where = shortUrl ? `${shortUrl}:${lineNumber + 1}` : '';
    const key = `${name} ${where}`;
    const entry = functions.get(key) ?? { name, where, us: 0 };
    entry.us += delta;
    functions.set(key, entry);
    const onStack = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      const path = frame.url.replace(/^file:\/\//, '');
      if (!path || path.includes('node_modules/') || !/\/(apps|libs)\//.test(path)) continue;
      const where = `${relative(root, path)}:${frame.lineNumber + 1}`;
      const key = `${frame.functionName || '(anonymous)'} ${where}`;
      if (onStack.has(key)) continue;
      onStack.add(key);
      const entry = inclusive.get(key) ?? { name: frame.functionName || '(anonymous)', where, us: 0 };
      entry.us += delta;
      inclusive.set(key, entry);
    }
    const group = groupOf(url, name, root);
    groups.set(group, (groups.get(group) ?? 0) + delta);
    total += delta;
  }
  const line = (name: string, where: string, us: number): ProfileLine => ({ name, where, ms: us / 1000, share: total > 0 ? us / total : 0 });
  return {
    file,
    totalMs: total / 1000,
    windowMs: windows.reduce((sum, w) => sum + Math.max(0, Math.min(w.toUs, profile.endTime) - Math.max(w.fromUs, profile.startTime)), 0) / 1000,
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => line(f.name, f.where, f.us)),
    inclusive: [...inclusive.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => line(f.name, f.where, f.us)),
    groups: [...groups.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([g, us]) => line(g, '', us)),
  };
}
