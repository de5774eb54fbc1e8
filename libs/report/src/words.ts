import { FUNDING_SOURCE_LABEL, LEVEL_LABEL, STATUS_LABEL, STATUS_REASON_LABEL, plainWord } from '@app/projections';

/**
 * How the documents a person reads (DOCX, XLSX) write money and codes: one way everywhere in a
 * document. The words for statuses, reasons, levels and funding sources are the shared ones
 * (@app/projections plain-words, also the dashboard's); the CSV, for machines, keeps the codes.
 */

/** Integer HUF grouped by thousands: `HUF 132,000,000`. */
export const formatHuf = (value: bigint): string => `HUF ${value.toLocaleString('en-US')}`;

/** The spreadsheet number format that shows a money cell as formatHuf writes it (the cell stays a number). */
export const HUF_NUMBER_FORMAT = '"HUF "#,##0';

/** A funding source id (`national`, `eu`, `swiss-hungarian`, `unspecified`) by name. */
export const sourceName = (source: string): string => plainWord(FUNDING_SOURCE_LABEL, source);

export const statusWords = (status: string): string => plainWord(STATUS_LABEL, status);
export const reasonWords = (reason: string): string => plainWord(STATUS_REASON_LABEL, reason);
export const levelWords = (level: string): string => plainWord(LEVEL_LABEL, level);
