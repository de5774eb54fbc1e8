/**
 * Building blocks of a reporting season over the real 2022–2023 plan (libs/plan/plans), shared
 * by the e2e tests that seed one through the GraphQL API and assert its figures exactly: the
 * agencies that report, and builders of the report inputs they send. Each test keeps its own
 * table of reports, since the figures it asserts follow from that table.
 */

import type { TestApp } from './test-app.js';

/** A report input's fields, as sent in `record<Type>(input:)`. */
export type Input = Record<string, unknown>;

/** One report of a season: who sends it, of which catalogue type, with what input. */
export interface Report {
  agency: string;
  type: string;
  input: Input;
}

/**
 * Sends one report through its `record<Type>` mutation with `headers` (the agency's credential);
 * returns the position of the event stored. Throws with the errors when it is refused.
 */
export async function recordReport(t: TestApp, report: Report, headers: Record<string, string>): Promise<string> {
  const res = await t.gql<Record<string, { position: string }>>(
    `mutation ($input: Record${report.type}Input!) { record${report.type}(input: $input) { position } }`,
    { input: report.input },
    headers,
  );
  if (res.errors) throw new Error(`record${report.type} ${String(report.input.reportId)} refused: ${JSON.stringify(res.errors)}`);
  return res.data![`record${report.type}`].position;
}

export const PLAN = 'hu-2022-2023';
export const MOI = 'ministry-of-interior';
export const NPH = 'national-police-headquarters';
export const PMO = 'prime-ministers-office';
export const BAPTIST = 'hungarian-baptist-aid';
export const MHC = 'ministry-of-human-capacities';
export const MIT = 'ministry-of-innovation-and-technology';
export const MOJ = 'ministry-of-justice';

/**
 * Report builders numbering their report ids `<prefix>-1`, `<prefix>-2`, … in the order they
 * are called (so a table's reports have stable ids).
 */
export function reportBuilders(prefix: string) {
  let n = 0;
  const r = (agency: string, type: string, measureCode: string, occurredOn: string, fields: Input): Report => ({
    agency,
    type,
    input: { measureCode, reportId: `${prefix}-${++n}`, occurredOn, ...fields },
  });
  return {
    r,
    /** A border-control training (measure II.1.3). */
    training: (agency: string, on: string, participants: number, days = 1) =>
      r(agency, 'TrainingDelivered', 'II.1.3', on, { title: 'Victim identification at border controls', participants, days }),
    capacity: (agency: string, code: string, on: string, location: string, facilities: number, places: number) =>
      r(agency, 'CapacityCreated', code, on, { facilityKind: 'designated places', location, facilities, places }),
    /** A national disbursement; `amount` in HUF as a decimal string. */
    funds: (agency: string, code: string, on: string, amount: string) =>
      r(agency, 'FundsDisbursed', code, on, { amount, source: 'NATIONAL', purpose: 'Disbursement' }),
  };
}
