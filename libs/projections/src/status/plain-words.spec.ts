import { EVENT_CATALOGUE, FUNDING_SOURCES, IMPLEMENTATION_LEVELS, PERIOD_STATUSES } from '@app/domain';
import { UNSPECIFIED_SOURCE } from '../funding/funding.model.js';
import { MEASURE_STATUSES, type MeasureStatus, STATUS_REASONS, type StatusReason } from './measure-status.js';
import {
  FUNDING_SOURCE_LABEL,
  HUF_NUMBER_FORMAT,
  LEVEL_LABEL,
  PERIOD_STATUS_LABEL,
  STATUS_LABEL,
  STATUS_REASON_LABEL,
  activityTypeWords,
  enumValueWords,
  fieldWords,
  formatAmount,
  formatHuf,
  plainWord,
} from './plain-words.js';

// Compile-time: every code has words, and no words name a code that does not exist.
const _statuses: [keyof typeof STATUS_LABEL, MeasureStatus] extends [MeasureStatus, keyof typeof STATUS_LABEL] ? true : never = true;
const _reasons: [keyof typeof STATUS_REASON_LABEL, StatusReason] extends [StatusReason, keyof typeof STATUS_REASON_LABEL] ? true : never = true;
void _statuses;
void _reasons;

describe('plain words for codes', () => {
  it('names every status, reason, assessment level and funding source, and nothing else', () => {
    expect(Object.keys(STATUS_LABEL).sort()).toEqual([...MEASURE_STATUSES].sort());
    expect(Object.keys(STATUS_REASON_LABEL).sort()).toEqual([...STATUS_REASONS].sort());
    expect(Object.keys(LEVEL_LABEL).sort()).toEqual([...IMPLEMENTATION_LEVELS].sort());
    expect(Object.keys(FUNDING_SOURCE_LABEL).sort()).toEqual([...FUNDING_SOURCES, UNSPECIFIED_SOURCE].sort());
    expect(Object.keys(PERIOD_STATUS_LABEL).sort()).toEqual([...PERIOD_STATUSES].sort());
    for (const table of [STATUS_LABEL, STATUS_REASON_LABEL, LEVEL_LABEL, FUNDING_SOURCE_LABEL, PERIOD_STATUS_LABEL]) {
      for (const words of Object.values(table)) expect(words).not.toMatch(/^[A-Z_]+$|^[a-z-]+$/);
    }
  });

  it('gives an unknown code back as it is, and never an inherited property', () => {
    expect(plainWord(STATUS_REASON_LABEL, 'DEADLINE_BEFORE_PLAN_START')).toBe("The decree's deadline is before the plan's first day");
    expect(plainWord(FUNDING_SOURCE_LABEL, 'swiss-hungarian')).toBe('Swiss–Hungarian Cooperation Programme');
    expect(plainWord(STATUS_REASON_LABEL, 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
    expect(plainWord(STATUS_LABEL, 'toString')).toBe('toString');
  });

  it('writes every activity type, field and enum value of the catalogue in words, as the documents do', () => {
    expect(activityTypeWords('TrainingDelivered')).toBe('Training delivered');
    expect(activityTypeWords('InvestigationStatisticsReported')).toBe('Investigation statistics reported');
    expect(fieldWords('meetingKind')).toBe('meeting kind');
    expect(enumValueWords('WORKING_GROUP')).toBe('working group');
    expect(enumValueWords('swiss-hungarian')).toBe('swiss hungarian');
    for (const spec of EVENT_CATALOGUE) {
      expect(activityTypeWords(spec.type)).toMatch(/^[A-Z][a-z]+( [a-z]+)+$/);
      for (const field of spec.fields) {
        expect(fieldWords(field.name)).toMatch(/^[a-z]+( [a-z]+)*$/);
        for (const value of (field as { values?: readonly string[] }).values ?? []) expect(enumValueWords(value)).toMatch(/^[a-z]+( [a-z]+)*$/);
      }
    }
  });
});

describe('money as a person reads it', () => {
  it('writes whole HUF with the ISO code first, grouped by thousands, from a bigint or its decimal string alike', () => {
    expect(formatHuf(132_000_000n)).toBe('HUF 132,000,000');
    expect(formatHuf('12000000')).toBe('HUF 12,000,000');
    expect(formatHuf('0')).toBe('HUF 0');
    expect(formatHuf(999n)).toBe('HUF 999');
    expect(formatHuf('-1500')).toBe('HUF -1,500');
    expect(formatAmount('1000')).toBe('1,000');
  });

  it('stays exact past 2^53 (never through a float)', () => {
    expect(formatHuf('9007199254740993')).toBe('HUF 9,007,199,254,740,993');
    expect(formatAmount(123456789012345678901234567890n)).toBe('123,456,789,012,345,678,901,234,567,890');
  });

  it('gives a string that is no whole number back as it is', () => {
    expect(formatAmount('12.5')).toBe('12.5');
    expect(formatAmount('n/a')).toBe('n/a');
    expect(formatHuf('')).toBe('HUF ');
  });

  it("has the spreadsheet cell format show the same prefix and grouping as formatHuf's text", () => {
    expect(HUF_NUMBER_FORMAT).toBe('"HUF "#,##0');
    expect(formatHuf(1234n).startsWith('HUF ')).toBe(true);
  });
});
