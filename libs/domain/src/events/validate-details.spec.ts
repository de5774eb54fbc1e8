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
      'CapacityCreated.places',
      'InspectionConducted.victimsIdentified',
      'InvestigationStatisticsReported.investigationsOpened',
      'MeetingHeld.casesExamined',
    ]);
  });

  const withValue = (spec: EventTypeSpec, name: string, value: string | number) => validateDetails(spec, { ...spec.example, [name]: value }).violations;

  it.each(numeric.filter(([, , f]) => minimumOf(f) === 1))('%s.%s refuses 0 and negatives, naming the field, and takes 1', (_type, name, field, spec) => {
    expect(withValue(spec, name, zeroOf(field))).toEqual([{ field: name, reason: expect.stringMatching(/^must be at least 1/) as unknown }]);
    expect(withValue(spec, name, field.kind === 'money' ? '-1' : -1).map((v) => v.field)).toEqual([name]);
    expect(withValue(spec, name, field.kind === 'money' ? '1' : 1)).toEqual([]);
  });

  it.each(numeric.filter(([, , f]) => minimumOf(f) === 0))('%s.%s takes 0 and refuses negatives', (_type, name, field, spec) => {
    expect(withValue(spec, name, zeroOf(field))).toEqual([]);
    expect(withValue(spec, name, field.kind === 'money' ? '-1' : -1).map((v) => v.field)).toEqual([name]);
  });

  it('refuses a CapacityCreated that opens nothing and adds no place, naming the field', () => {
    const spec = EVENT_CATALOGUE.find((s) => s.type === 'CapacityCreated')!;
    expect(validateDetails(spec, { ...spec.example, facilities: 0, places: 0 }).violations).toEqual([
      { field: 'facilities', reason: 'and places are all 0: at least one must be 1 or more' },
    ]);
    expect(validateDetails(spec, { ...spec.example, facilities: 1, places: 0 }).violations).toEqual([]);
    expect(validateDetails(spec, { ...spec.example, facilities: 0, places: 3 }).violations).toEqual([]);
  });

  it('accepts every catalogue example as it stands', () => {
    for (const spec of EVENT_CATALOGUE) expect([spec.type, validateDetails(spec, spec.example).violations]).toEqual([spec.type, []]);
  });
});
