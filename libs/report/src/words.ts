import { FUNDING_SOURCE_LABEL, LEVEL_LABEL, STATUS_LABEL, STATUS_REASON_LABEL, plainWord } from '@app/projections';

/**
 * How the documents a person reads (DOCX, XLSX) write money and codes: one way everywhere in a
 * document, and the dashboard's way. The words for statuses, reasons, levels and funding sources are the shared ones
 * (@app/projections plain-words, also the dashboard's); the CSV, for machines, keeps the codes.
 */

// Money is written the one way the dashboard writes it too (`HUF 132,000,000`, plain-words.ts).
export { HUF_NUMBER_FORMAT, formatHuf } from '@app/projections';

/** A funding source id (`national`, `eu`, `swiss-hungarian`, `unspecified`) by name. */
export const sourceName = (source: string): string => plainWord(FUNDING_SOURCE_LABEL, source);

export const statusWords = (status: string): string => plainWord(STATUS_LABEL, status);
export const reasonWords = (reason: string): string => plainWord(STATUS_REASON_LABEL, reason);
export const levelWords = (level: string): string => plainWord(LEVEL_LABEL, level);
