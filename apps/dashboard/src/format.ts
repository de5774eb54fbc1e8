import type { MeasureStatus } from './api/queries';

const huf = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

/** Money is integer HUF as a decimal string (exact bigint): shown grouped, never through a float sum. */
export const formatHuf = (amount: string): string => `${formatAmount(amount)} HUF`;

/** The amount grouped, without the unit (where the label names it). */
export function formatAmount(amount: string): string {
  try {
    return huf.format(BigInt(amount));
  } catch {
    return amount;
  }
}

/** For charts only: HUF in millions (a chart axis needs numbers; the tables beside show the exact amount). */
export const millions = (amount: string): number => Number(BigInt(amount) / 1000n) / 1000;

export const formatPercent = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : `${value}%`);

export const STATUS_LABEL: Record<MeasureStatus, string> = {
  NOT_STARTED: 'Not started',
  IN_PROGRESS: 'In progress',
  ACHIEVED: 'Achieved',
  OVERDUE: 'Overdue',
};

/** Colours with ≥ 4.5:1 contrast against white (WCAG AA), used for text and chart series alike. */
export const STATUS_COLOUR: Record<MeasureStatus, string> = {
  NOT_STARTED: '#5c6370',
  IN_PROGRESS: '#0b5cad',
  ACHIEVED: '#1a7f37',
  OVERDUE: '#b42318',
};

export const STATUS_ORDER: readonly MeasureStatus[] = ['NOT_STARTED', 'IN_PROGRESS', 'ACHIEVED', 'OVERDUE'];
