import { readFileSync } from 'node:fs';
import { DASHBOARD_ENUMS_FILE, SCHEMA_FILE, dashboardEnumsSource } from './schema-file.js';

// schema.gql is checked current against the code by test/e2e/schema.e2e-spec.ts; this checks
// the dashboard's enums against schema.gql, so the chain code → schema → dashboard holds.
describe('the dashboard enums', () => {
  it(`are ${SCHEMA_FILE}'s (else run \`npm run schema\` and commit ${DASHBOARD_ENUMS_FILE})`, () => {
    expect(readFileSync(DASHBOARD_ENUMS_FILE, 'utf8')).toBe(dashboardEnumsSource(readFileSync(SCHEMA_FILE, 'utf8')));
  });

  it('are generated as unions of string literals, one per enum, by name', () => {
    const source = dashboardEnumsSource('type Query { a: StatusReason }\nenum StatusReason { NO_REPORT TARGET_MET }\nenum Role { ADMIN }');
    expect(source.split('\n').filter((line) => line.startsWith('export'))).toEqual([
      "export type Role = 'ADMIN';",
      "export type StatusReason = 'NO_REPORT' | 'TARGET_MET';",
    ]);
  });
});
