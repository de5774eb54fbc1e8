import { EVENT_CATALOGUE, type EventTypeSpec, type FieldSpec, minimumOf } from './catalogue.js';
import { validateDetails } from './validate-details.js';

/** Which count and money fields of the catalogue may be 0: declared there, nowhere else. */
const numeric = EVENT_CATALOGUE.flatMap((spec: EventTypeSpec) =>
  spec.fields.filter((f) => f.kind === 'count' || f.kind === 'money').map((field): [string, string, FieldSpec, EventTypeSpec] => [spec.type, field.name, field, spec]),
);
const zeroOf = (field: FieldSpec) => (field.kind === 'money' ? '0' : 0);

describe('validateDetails: zero', () => {
  it('declares the few fields that may be 0 in the catalogue', () => {
    const zeroAllowed = numeric.filter(([, , f]) => f.zeroAllowed === true).map(([type, name]) => `${type}.${name}`);
    expect(zeroAllowed.sort()).toEqual([
      'CapacityCreated.facilities',
      'InspectionConducted.victimsIdentified',
      'InvestigationStatisticsReported.investigationsOpened',
      'MeetingHeld.casesExamined',
    ]);
  });

  it.each(numeric)('%s.%s: 0 is accepted exactly when the catalogue allows it, and 1 always', (_type, name, field, spec) => {
    const zero = validateDetails(spec, { ...spec.example, [name]: zeroOf(field) });
    const refused = minimumOf(field) === 0 ? [] : [{ field: name, reason: expect.stringMatching(/^must be at least 1/) as unknown }];
    expect(zero.violations).toEqual(refused);
    const one = validateDetails(spec, { ...spec.example, [name]: field.kind === 'money' ? '1' : 1 });
    expect(one.violations).toEqual([]);
    expect(validateDetails(spec, { ...spec.example, [name]: field.kind === 'money' ? '-1' : -1 }).violations.map((v) => v.field)).toEqual([name]);
  });

  it('accepts every catalogue example as it stands', () => {
    for (const spec of EVENT_CATALOGUE) expect([spec.type, validateDetails(spec, spec.example).violations]).toEqual([spec.type, []]);
  });
});
