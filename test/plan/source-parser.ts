/**
 * A reader for the published English text of a Hungarian anti-trafficking action plan
 * (test/fixtures/action-plan-2022-2023.txt): the Government decision, then its Appendix 1,
 * in which every measure is a small table of six rows — A Responsible body, B Partners,
 * C Means, D Deadline, E Indicator, F Funding.
 *
 * The text is a conversion from a PDF, so it carries artifacts the reader has to see through:
 * headings decorated with markdown (`**`, `#` … `#####`, inconsistently), "Partner" and
 * "Partners" both used for row B, blank lines inside a measure, and a row's text that a page
 * break split — it continues after blank lines on a line indented with tabs. Tests use it to
 * prove the plan file says what the source says; it is deliberately independent of the plan
 * loader.
 */

export type RowLetter = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';
export const ROW_LETTERS: readonly RowLetter[] = ['A', 'B', 'C', 'D', 'E', 'F'];

export interface SourceMeasure {
  readonly code: string;
  readonly title: string;
  /** Row texts, whitespace-normalised. */
  readonly rows: Readonly<Record<RowLetter, string>>;
}

export interface SourceObjective {
  readonly code: string;
  readonly title: string;
  readonly measures: SourceMeasure[];
}

export interface SourcePillar {
  readonly code: string;
  readonly title: string;
  readonly objectives: SourceObjective[];
}

export interface SourcePlan {
  /** The decision part (everything before the appendix), whitespace-normalised. */
  readonly decisionText: string;
  readonly pillars: SourcePillar[];
}

/** Collapses every run of whitespace (newlines and page-break blank lines included) to one space. */
export function normalizeWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "31 December 2023" → "2023-12-31". Throws on anything else. */
export function deadlineToIso(text: string): string {
  const match = /^(\d{1,2}) ([A-Z][a-z]+) (\d{4})$/.exec(normalizeWhitespace(text));
  const month = match ? MONTHS.indexOf(match[2]) + 1 : 0;
  if (!match || month === 0) throw new Error(`Not a deadline date: "${text}"`);
  return `${match[3]}-${String(month).padStart(2, '0')}-${match[1].padStart(2, '0')}`;
}

/** Removes the markdown decoration the conversion left on headings: leading #'s and ** pairs. */
function stripDecoration(line: string): string {
  return normalizeWhitespace(line.replace(/^\s*#+\s*/, '').replace(/\*\*/g, ''));
}

const ROW_LABELS: Record<RowLetter, RegExp> = {
  A: /^Responsible body$/,
  B: /^Partners?$/,
  C: /^Means$/,
  D: /^Deadline$/,
  E: /^Indicator$/,
  F: /^Funding$/,
};

const APPENDIX = /^#*\s*Appendix No\. 1\./;
const MEASURE = /^([IVX]+\.\d+\.\d+)\.\s+(.+)$/;
const OBJECTIVE = /^([IVX]+\.\d+)\.\s+(.+)$/;
const PILLAR = /^([IVX]+)\.\s+(.+)$/;
const ROW = /^([A-F])\t([^\t]+)\t(.*)$/;
/** A table-rule artifact of the conversion ("--\t--"). */
const TABLE_RULE = /^-+\t-+\s*$/;

export function parseActionPlanSource(source: string): SourcePlan {
  const lines = source.split(/\r?\n/);
  const appendixAt = lines.findIndex((line) => APPENDIX.test(line));
  if (appendixAt < 0) throw new Error('The appendix heading was not found');

  const pillars: SourcePillar[] = [];
  let objective: SourceObjective | undefined;
  let measure: { code: string; title: string; rows: Partial<Record<RowLetter, string[]>> } | undefined;
  let row: string[] | undefined;

  const fail = (lineNo: number, why: string): never => {
    throw new Error(`line ${lineNo + 1}: ${why}: "${lines[lineNo]}"`);
  };

  const closeMeasure = (lineNo: number) => {
    if (!measure) return;
    const rows = {} as Record<RowLetter, string>;
    for (const letter of ROW_LETTERS) {
      const parts = measure.rows[letter];
      if (!parts) fail(lineNo, `measure ${measure.code} has no row ${letter}`);
      rows[letter] = normalizeWhitespace(parts!.join(' '));
    }
    if (!objective) fail(lineNo, `measure ${measure.code} outside an objective`);
    objective!.measures.push({ code: measure.code, title: measure.title, rows });
    measure = undefined;
    row = undefined;
  };

  for (let i = appendixAt + 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '' || TABLE_RULE.test(raw)) continue;

    const rowMatch = ROW.exec(raw);
    if (rowMatch && measure) {
      const letter = rowMatch[1] as RowLetter;
      if (!ROW_LABELS[letter].test(rowMatch[2].trim())) fail(i, `row ${letter} has label "${rowMatch[2]}"`);
      const expected = ROW_LETTERS[Object.keys(measure.rows).length];
      if (letter !== expected) fail(i, `measure ${measure.code}: expected row ${expected}`);
      row = [rowMatch[3]];
      measure.rows[letter] = row;
      continue;
    }

    // A page break split the row: its text goes on, indented, after blank lines.
    if (/^\s/.test(raw) && row) {
      row.push(raw);
      continue;
    }

    const heading = stripDecoration(raw);
    let match: RegExpExecArray | null;
    if ((match = MEASURE.exec(heading))) {
      closeMeasure(i);
      measure = { code: match[1], title: match[2], rows: {} };
      row = undefined;
    } else if ((match = OBJECTIVE.exec(heading))) {
      closeMeasure(i);
      const pillar = pillars.at(-1) ?? fail(i, 'objective before any pillar');
      if (!match[1].startsWith(`${pillar.code}.`)) fail(i, `objective outside pillar ${pillar.code}`);
      objective = { code: match[1], title: match[2], measures: [] };
      pillar.objectives.push(objective);
    } else if ((match = PILLAR.exec(heading))) {
      closeMeasure(i);
      objective = undefined;
      pillars.push({ code: match[1], title: match[2], objectives: [] });
    } else if (measure) {
      // Unindented text that is no heading and no row ends the table (the closing colophon).
      closeMeasure(i);
    } else if (pillars.length > 0 && !objective) {
      fail(i, 'unexpected text');
    }
  }
  closeMeasure(lines.length - 1);

  return {
    decisionText: normalizeWhitespace(lines.slice(0, appendixAt).join('\n')),
    pillars,
  };
}
