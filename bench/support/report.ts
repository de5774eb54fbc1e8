import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
export const ms = (n: number) => (Number.isFinite(n) ? (n >= 100 ? `${Math.round(n)} ms` : `${n.toFixed(n >= 10 ? 1 : 2)} ms`) : '–');
export const ratio = (a: number, b: number) => (Number.isFinite(a / b) && b !== 0 ? `${(a / b).toFixed(2)}×` : '–');
export const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A target line: met, or missed by how much (relative to the target). */
export function verdict(measured: number, target: number, better: 'higher' | 'lower'): string {
  if (!Number.isFinite(measured)) return 'not measured';
  const met = better === 'higher' ? measured >= target : measured <= target;
  if (met) return '**met**';
  const by = better === 'higher' ? (target - measured) / target : (measured - target) / target;
  return `**missed** by ${(by * 100).toFixed(0)}%`;
}

const START = (id: string) => `<!-- bench:${id}:start -->`;
const END = (id: string) => `<!-- bench:${id}:end -->`;

/**
 * Writes `content` between the markers of section `id` in `file`, leaving the rest of the file
 * (other runs, hand-written analysis) as it is. Appends the section when the file lacks it.
 */
export function writeSection(file: string, id: string, content: string, preamble: string): void {
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : `${preamble}\n`;
  const block = `${START(id)}\n${content.trim()}\n${END(id)}`;
  const from = existing.indexOf(START(id));
  const to = existing.indexOf(END(id));
  const next = from >= 0 && to > from ? existing.slice(0, from) + block + existing.slice(to + END(id).length) : `${existing.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
