import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Plan } from './plan.types.js';
import { PlanChangeError, type PlanChange, applyChanges, describePlanChange, diffPlans } from './plan-changes.js';
import { parsePlan } from './plan-parser.js';

const REAL_PLAN = resolve('libs/plan/plans/hu-2022-2023.yaml');

function readPlan(path: string): Plan {
  const { plan, errors } = parsePlan(readFileSync(path, 'utf8'), path);
  if (!plan) throw new Error(`fixture invalid: ${JSON.stringify(errors)}`);
  return plan;
}

const demo = readPlan(resolve('test/fixtures/plans/demo-plan.yaml'));

// Edits work on a plain mutable copy, as an author editing the file would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Draft = any;
function edited(plan: Plan, edit: (draft: Draft) => void): Plan {
  const draft = structuredClone(plan) as Draft;
  edit(draft);
  return draft as Plan;
}
const measures = (draft: Draft): Draft[] => draft.pillars.flatMap((p: Draft) => p.objectives).flatMap((o: Draft) => o.measures);
const measureOf = (draft: Draft, code: string): Draft => measures(draft).find((m: Draft) => m.code === code);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** The amendment property: applying the diff gives the target, also after a JSON round trip. */
function expectRoundTrip(before: Plan, after: Plan): PlanChange[] {
  const changes = diffPlans(before, after);
  expect(applyChanges(deepFreeze(structuredClone(before)), changes)).toEqual(after);
  const stored = JSON.parse(JSON.stringify(changes)) as PlanChange[];
  const applied = applyChanges(before, stored);
  expect(applied).toEqual(after);
  expect(diffPlans(applied, after)).toEqual([]);
  return changes;
}

describe('diffPlans / applyChanges', () => {
  it('finds nothing between equal plans, whatever the key order', () => {
    expect(diffPlans(demo, structuredClone(demo))).toEqual([]);
    const reordered = JSON.parse(JSON.stringify(demo, Object.keys(demo).reverse())) as Plan;
    expect(diffPlans(demo, { ...reordered, ...demo })).toEqual([]);
  });

  it('says a changed target by codes and keys', () => {
    const after = edited(demo, (d) => (measureOf(d, 'B.1.1').indicators[0].target = 7));
    expect(expectRoundTrip(demo, after)).toEqual([
      { op: 'set', path: ['measures', 'B.1.1', 'indicators', 'places', 'target'], before: 6, after: 7 },
    ]);
  });

  it('says an optional field added or removed by leaving out before/after', () => {
    const removed = edited(demo, (d) => delete measureOf(d, 'A.1.1').indicators[0].target);
    expect(expectRoundTrip(demo, removed)).toEqual([
      { op: 'set', path: ['measures', 'A.1.1', 'indicators', 'trainings', 'target'], before: 10 },
    ]);
    const added = edited(demo, (d) => (measureOf(d, 'A.2.1').partnersText = 'with help'));
    expect(expectRoundTrip(demo, added)).toEqual([
      { op: 'set', path: ['measures', 'A.2.1', 'partnersText'], after: 'with help' },
    ]);
  });

  it('changes plan-level fields field by field', () => {
    const after = edited(demo, (d) => {
      d.title = 'Renamed';
      d.period.to = '2032-06-30';
      delete d.legalBasis.title;
    });
    expect(expectRoundTrip(demo, after)).toEqual([
      { op: 'set', path: ['title'], before: demo.title, after: 'Renamed' },
      { op: 'set', path: ['legalBasis', 'title'], before: demo.legalBasis.title },
      { op: 'set', path: ['period', 'to'], before: '2031-12-31', after: '2032-06-30' },
    ]);
  });

  it('adds and removes measures with their whole value', () => {
    const newMeasure = { ...structuredClone(measureOf(demo, 'A.1.2')), code: 'A.1.3', title: 'A new one' };
    const added = edited(demo, (d) => d.pillars[0].objectives[0].measures.push(newMeasure));
    expect(expectRoundTrip(demo, added)).toEqual([
      { op: 'add', path: ['measures', 'A.1.3'], parent: 'A.1', index: 2, value: newMeasure },
    ]);
    const removed = edited(demo, (d) => d.pillars[0].objectives[0].measures.splice(0, 1));
    expect(expectRoundTrip(demo, removed)).toEqual([
      { op: 'remove', path: ['measures', 'A.1.1'], value: measureOf(demo, 'A.1.1') },
    ]);
  });

  it('moves a measure to another objective as a remove and an add', () => {
    const after = edited(demo, (d) => {
      const [moved] = d.pillars[0].objectives[0].measures.splice(1, 1);
      d.pillars[0].objectives[1].measures.unshift(moved);
    });
    const changes = expectRoundTrip(demo, after);
    expect(changes.map((c) => [c.op, ...c.path, 'parent' in c ? c.parent : ''])).toEqual([
      ['remove', 'measures', 'A.1.2', ''],
      ['add', 'measures', 'A.1.2', 'A.2'],
    ]);
  });

  it('says a new order as a reorder', () => {
    const after = edited(demo, (d) => d.pillars[0].objectives[0].measures.reverse());
    expect(expectRoundTrip(demo, after)).toEqual([
      { op: 'reorder', path: ['objectives', 'A.1', 'measures'], before: ['A.1.1', 'A.1.2'], after: ['A.1.2', 'A.1.1'] },
    ]);
  });

  it('handles agencies, groups and budget points', () => {
    const agency = { id: 'new-agency', name: 'New Agency', kind: 'authority' };
    const budgetPoint = { id: '2a', description: 'More', amountHuf: '1000', year: 2031 };
    const after = edited(demo, (d) => {
      d.agencies.splice(1, 0, agency);
      d.agencies[0].name = 'Ministry of Other Examples';
      d.agencies.find((a: Draft) => a.id === 'coordination-forum').members.push('new-agency');
      d.agencies = d.agencies.filter((a: Draft) => a.id !== 'public-prosecutor');
      measureOf(d, 'A.2.1').responsible = ['example-ministry'];
      d.budgetPoints.push(budgetPoint);
      d.budgetPoints[0].amountHuf = '60000000';
    });
    expect(expectRoundTrip(demo, after)).toEqual([
      { op: 'remove', path: ['agencies', 'public-prosecutor'], value: demo.agencies[2] },
      { op: 'add', path: ['agencies', 'new-agency'], index: 1, value: agency },
      { op: 'add', path: ['budgetPoints', '2a'], index: 2, value: budgetPoint },
      { op: 'set', path: ['agencies', 'example-ministry', 'name'], before: 'Ministry of Examples', after: 'Ministry of Other Examples' },
      {
        op: 'set',
        path: ['agencies', 'coordination-forum', 'members'],
        before: ['example-ministry', 'river-city-police', 'ngo-roundtable'],
        after: ['example-ministry', 'river-city-police', 'ngo-roundtable', 'new-agency'],
      },
      { op: 'set', path: ['budgetPoints', '1a', 'amountHuf'], before: '50000000', after: '60000000' },
      { op: 'set', path: ['measures', 'A.2.1', 'responsible'], before: ['example-ministry', 'public-prosecutor'], after: ['example-ministry'] },
    ]);
  });

  it('adds and removes allocations by value, and replaces the list when one is edited', () => {
    const allocations = measureOf(demo, 'B.1.1').funding.allocations;
    const extra = { amountHuf: '5', year: 2030, purpose: 'extra' };
    const added = edited(demo, (d) => measureOf(d, 'B.1.1').funding.allocations.splice(1, 0, extra));
    expect(expectRoundTrip(demo, added)).toEqual([
      { op: 'add', path: ['measures', 'B.1.1', 'funding', 'allocations'], index: 1, value: extra },
    ]);
    const removed = edited(demo, (d) => measureOf(d, 'B.1.1').funding.allocations.shift());
    expect(expectRoundTrip(demo, removed)).toEqual([
      { op: 'remove', path: ['measures', 'B.1.1', 'funding', 'allocations'], value: allocations[0] },
    ]);
    const changed = edited(demo, (d) => (measureOf(d, 'B.1.1').funding.allocations[0].amountHuf = '49000000'));
    const [change] = expectRoundTrip(demo, changed);
    expect(change).toMatchObject({ op: 'set', path: ['measures', 'B.1.1', 'funding', 'allocations'], before: allocations });
    const first = edited(demo, (d) => (measureOf(d, 'A.1.1').funding.allocations = [extra]));
    expect(expectRoundTrip(demo, first)).toEqual([
      { op: 'set', path: ['measures', 'A.1.1', 'funding', 'allocations'], after: [extra] },
    ]);
    const sources = edited(demo, (d) => (measureOf(d, 'A.1.1').funding.sources = ['eu']));
    expect(expectRoundTrip(demo, sources)).toEqual([
      { op: 'set', path: ['measures', 'A.1.1', 'funding', 'sources'], before: ['national'], after: ['eu'] },
    ]);
  });

  it('adds, removes, reorders and edits indicators', () => {
    const indicator = { key: 'days', label: 'Training days', event: 'TrainingDelivered', aggregate: 'sum', field: 'days' };
    const after = edited(demo, (d) => {
      const m = measureOf(d, 'A.1.2');
      m.indicators.reverse();
      m.indicators.push(indicator);
      measureOf(d, 'A.1.1').indicators.pop();
      measureOf(d, 'B.1.1').indicators[1].label = 'Paid';
    });
    expect(expectRoundTrip(demo, after)).toEqual([
      { op: 'remove', path: ['measures', 'A.1.1', 'indicators', 'participants'], value: measureOf(demo, 'A.1.1').indicators[1] },
      { op: 'reorder', path: ['measures', 'A.1.2', 'indicators'], before: ['campaigns', 'channels'], after: ['channels', 'campaigns'] },
      { op: 'add', path: ['measures', 'A.1.2', 'indicators', 'days'], index: 2, value: indicator },
      { op: 'set', path: ['measures', 'B.1.1', 'indicators', 'disbursed', 'label'], before: 'Money paid', after: 'Paid' },
    ]);
  });

  it('handles pillars and objectives moving, appearing and disappearing', () => {
    const after = edited(demo, (d) => {
      const [objective] = d.pillars[0].objectives.splice(1, 1);
      d.pillars[1].objectives.push(objective);
      d.pillars.push({ code: 'C', title: 'New pillar', objectives: [] });
      d.pillars[0].title = 'Prevention first';
      d.pillars.reverse();
    });
    const changes = expectRoundTrip(demo, after);
    expect(changes.map((c) => `${c.op} ${c.path.join('/')}`)).toEqual([
      'remove objectives/A.2',
      'reorder pillars',
      'add pillars/C',
      'add objectives/A.2',
      'set pillars/A/title',
    ]);
    const dropped = edited(demo, (d) => d.pillars.splice(0, 1));
    expect(expectRoundTrip(demo, dropped)).toEqual([{ op: 'remove', path: ['pillars', 'A'], value: demo.pillars[0] }]);
  });

  it('keeps the property over many random edits', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    // Random edits may leave no measure (or objective) at all; those edits then do nothing.
    const onMeasure = (edit: (m: Draft) => void) => (d: Draft) => {
      const all = measures(d);
      if (all.length) edit(pick(all));
    };
    const edits: Array<(d: Draft) => void> = [
      onMeasure((m) => (m.title += ' (amended)')),
      onMeasure((m) => (m.deadline = '2031-06-30')),
      onMeasure((m) => {
        if (m.indicators.length) pick(m.indicators as Draft[]).target = Math.floor(random() * 100);
      }),
      (d) => {
        const o = pick(d.pillars.flatMap((p: Draft) => p.objectives)) as Draft;
        o?.measures.reverse();
      },
      (d) => {
        const objectives = d.pillars.flatMap((p: Draft) => p.objectives) as Draft[];
        const from = pick(objectives);
        const to = pick(objectives);
        if (from?.measures.length) to.measures.splice(Math.floor(random() * (to.measures.length + 1)), 0, from.measures.pop());
      },
      (d) => {
        const o = pick(d.pillars.flatMap((p: Draft) => p.objectives)) as Draft;
        o?.measures.push({ ...structuredClone(pick(measures(demo as Draft))), code: `${o.code}.${Math.floor(random() * 1e6)}` });
      },
      (d) => {
        const p = pick(d.pillars) as Draft;
        if (p?.objectives.length) p.objectives.splice(Math.floor(random() * p.objectives.length), 1);
      },
      (d) => d.agencies.reverse(),
      (d) => ((pick(d.agencies as Draft[]) as Draft).name += '!'),
      onMeasure((m) => {
        m.funding.allocations = [...(m.funding.allocations ?? []), { amountHuf: String(Math.floor(random() * 1e9)), year: 2031, purpose: 'p' }];
      }),
      onMeasure((m) => {
        if (m.indicators.length > 1) m.indicators.push(m.indicators.shift());
      }),
      onMeasure((m) => (m.partners = [])),
      onMeasure((m) => m.funding.allocations?.pop()),
      (d) => d.pillars.reverse(),
    ];
    for (let round = 0; round < 150; round++) {
      let before = demo;
      for (let step = 0; step < 3; step++) {
        const after = edited(before, (d) => {
          const count = 1 + Math.floor(random() * 4);
          for (let i = 0; i < count; i++) pick(edits)(d);
        });
        expectRoundTrip(before, after);
        before = after;
      }
    }
  });

  it('keeps the property on the shipped plan', () => {
    const real = readPlan(REAL_PLAN);
    const all = (d: Draft) => measures(d);
    const variants = [
      edited(real, (d) => {
        const withIndicator = all(d).find((m: Draft) => m.indicators.length > 0);
        withIndicator.indicators[0].target = 999;
      }),
      edited(real, (d) => all(d)[5].deadline = '2023-06-30'),
      edited(real, (d) => d.pillars[1].objectives[0].measures.reverse()),
      edited(real, (d) => {
        const [m] = d.pillars[0].objectives[0].measures.splice(0, 1);
        d.pillars[3].objectives[0].measures.push(m);
      }),
      edited(real, (d) => d.agencies.push({ id: 'an-added-agency', name: 'Added', kind: 'other' })),
      edited(real, (d) => d.pillars.pop()),
      edited(real, (d) => all(d).forEach((m: Draft) => (m.means = `${m.means}.`))),
    ];
    for (const variant of variants) expectRoundTrip(real, variant);
    expect(diffPlans(real, variants[0])).toHaveLength(1);
  });

  it('refuses changes that do not fit the plan', () => {
    const stale = { op: 'set', path: ['measures', 'B.1.1', 'indicators', 'places', 'target'], before: 5, after: 6 } as const;
    expect(() => applyChanges(demo, [stale])).toThrow(PlanChangeError);
    expect(() => applyChanges(demo, [{ op: 'set', path: ['measures', 'Z.9.9', 'title'], after: 'x' }])).toThrow(/no measures "Z.9.9"/);
    expect(() => applyChanges(demo, [{ op: 'remove', path: ['agencies', 'helping-hands'], value: demo.agencies[0] }])).toThrow(
      /not what the change removes/,
    );
    const duplicate = { op: 'add', path: ['measures', 'A.1.1'], parent: 'A.2', index: 0, value: measureOf(demo, 'A.1.1') } as const;
    expect(() => applyChanges(demo, [duplicate])).toThrow(/already exists/);
  });

  it('refuses to diff two different plans', () => {
    expect(() => diffPlans(demo, { ...demo, id: 'other' })).toThrow(/different plans/);
  });

  it('describes changes for people', () => {
    expect(describePlanChange({ op: 'set', path: ['measures', 'B.1.1', 'indicators', 'places', 'target'], before: 6, after: 7 })).toBe(
      'set measure B.1.1, indicator places, target: 6 → 7',
    );
    expect(describePlanChange({ op: 'set', path: ['legalBasis', 'title'], before: 'Old' })).toBe('set legalBasis.title: "Old" → (absent)');
    expect(describePlanChange({ op: 'add', path: ['measures', 'A.1.3'], parent: 'A.1', index: 2, value: measureOf(demo, 'A.1.1') })).toBe(
      'added measure A.1.3 under A.1 at position 3',
    );
    expect(
      describePlanChange({ op: 'remove', path: ['measures', 'B.1.1', 'funding', 'allocations'], value: { amountHuf: '5', year: 2030, purpose: 'x' } }),
    ).toBe('removed measure B.1.1, funding.allocations {"amountHuf":"5","year":2030,"purpose":"x"}');
    expect(describePlanChange({ op: 'reorder', path: ['pillars'], before: ['A', 'B'], after: ['B', 'A'] })).toBe('reordered pillars: A, B → B, A');
  });
});
