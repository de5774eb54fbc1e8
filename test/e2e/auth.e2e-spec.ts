import { jest } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { LoggerService } from '@nestjs/common';
import { KeyRegistry, KeyService } from '@app/auth';
import { SqliteEventStore } from '@app/event-store';
import { authHeader, issueTestKey } from './support/auth.js';
import { type GraphQLResponse, type TestApp, startTestApp } from './support/test-app.js';
import { WAIT_UNTIL_MS } from '../support/wait-until.js';

/** Collects every log line so tests can read what refusals logged. */
class CaptureLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown, ...rest: unknown[]) {
    this.lines.push([message, ...rest].map(String).join(' '));
  }
  error(message: unknown, ...rest: unknown[]) {
    this.log(message, ...rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.log(message, ...rest);
  }
  debug() {}
  verbose() {}
}

type Role = 'AGENCY' | 'COORDINATOR' | 'AUDITOR' | 'ADMIN';
const ROLES: Role[] = ['AGENCY', 'COORDINATOR', 'AUDITOR', 'ADMIN'];
/** I.3.2 of the 2022–2023 plan: responsible ministry-of-interior (among others), partner national-police-headquarters. */
const MEASURE = 'I.3.2';
const RESPONSIBLE = 'ministry-of-interior';
const PARTNER = 'national-police-headquarters';
const UNASSIGNED = 'hungarian-baptist-aid';

let reportCounter = 0;
function recordMeeting() {
  reportCounter += 1;
  return {
    query: `mutation Record($input: RecordMeetingHeldInput!) { recordMeetingHeld(input: $input) { reportId agencyId } }`,
    variables: {
      input: {
        measureCode: MEASURE,
        reportId: `auth-e2e-${reportCounter}`,
        occurredOn: '2023-03-01',
        title: 'Working group on online advertising',
        meetingKind: 'WORKING_GROUP',
      },
    },
  };
}

// Starting the app takes longer than jest's default 5 s on a busy machine.
jest.setTimeout(60_000);

const code = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.code;
const rule = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.rule;

describe('identity and access (e2e)', () => {
  let t: TestApp;
  const logger = new CaptureLogger();
  const keys = {} as Record<Role, string>;

  beforeAll(async () => {
    t = await startTestApp();
    t.app.useLogger(logger);
    for (const role of ROLES) {
      keys[role] = await issueTestKey(t, { role, agencyId: role === 'AGENCY' ? RESPONSIBLE : undefined });
    }
  });
  afterAll(async () => {
    await t.close({ removeData: true });
  });

  describe('each role × each kind of operation', () => {
    /** Which roles each operation admits; anything else must be FORBIDDEN, with a rule. */
    const operations: Array<{
      name: string;
      allowed: Role[];
      run: (headers: Record<string, string>) => Promise<GraphQLResponse>;
    }> = [
      { name: 'me', allowed: ROLES, run: (h) => t.gql('{ me { id role agencyId label } }', undefined, h) },
      { name: 'read plan (plans)', allowed: ROLES, run: (h) => t.gql('{ plans { id } }', undefined, h) },
      { name: 'read plan (measure)', allowed: ROLES, run: (h) => t.gql(`{ measure(code: "${MEASURE}") { code } }`, undefined, h) },
      { name: 'list keys', allowed: ['ADMIN'], run: (h) => t.gql('{ apiKeys { keyId } }', undefined, h) },
      {
        name: 'issue key',
        allowed: ['ADMIN'],
        run: (h) => t.gql('mutation { issueApiKey(input: { role: AUDITOR, label: "matrix" }) { keyId } }', undefined, h),
      },
      {
        name: 'revoke key',
        allowed: ['ADMIN'],
        run: async (h) => {
          const victim = (await t.app.get(KeyService).issue({ role: 'AUDITOR', label: 'victim' }, 'test')).keyId;
          return t.gql('mutation ($id: String!) { revokeApiKey(keyId: $id, reason: "matrix") { keyId active } }', { id: victim }, h);
        },
      },
      {
        name: 'record a report',
        allowed: ['AGENCY'],
        run: (h) => {
          const op = recordMeeting();
          return t.gql(op.query, op.variables, h);
        },
      },
      {
        // A plain HTTP route: its refusal's body is the ledger error (code, rule) at the top level.
        name: "download an agency's report template",
        allowed: ['AGENCY', 'COORDINATOR'],
        run: async (h) => {
          const res = await fetch(`${t.url.replace(/\/graphql$/, '')}/imports/reports/template?agencyId=${RESPONSIBLE}`, { headers: h });
          if (res.ok) return { status: res.status };
          return { status: res.status, errors: [{ message: 'refused', extensions: (await res.json()) as Record<string, unknown> }] };
        },
      },
      {
        name: 'look a report up (report)',
        allowed: ['AGENCY', 'COORDINATOR', 'AUDITOR'],
        run: async (h) => {
          const res = await t.gql(`{ report(agencyId: "${RESPONSIBLE}", reportId: "none") { reportId } }`, undefined, h);
          // Access is under test: once it is granted, a report that does not exist is NOT_FOUND.
          return res.errors?.[0]?.extensions?.code === 'NOT_FOUND' ? { ...res, errors: undefined } : res;
        },
      },
      {
        name: 'read report history',
        allowed: ['AGENCY', 'AUDITOR'],
        run: async (h) => {
          const res = await t.gql(`{ reportHistory(agencyId: "${RESPONSIBLE}", reportId: "none") { reportId } }`, undefined, h);
          // Access is under test: once it is granted, a report that does not exist is NOT_FOUND.
          return res.errors?.[0]?.extensions?.code === 'NOT_FOUND' ? { ...res, errors: undefined } : res;
        },
      },
    ];

    for (const operation of operations) {
      for (const role of ROLES) {
        const allowed = operation.allowed.includes(role);
        it(`${operation.name} as ${role}: ${allowed ? 'allowed' : 'FORBIDDEN'}`, async () => {
          const res = await operation.run(authHeader(keys[role]));
          // Refused: FORBIDDEN with the rule, and nothing answered (data null, or the nullable field null).
          const outcome = res.errors
            ? `${String(code(res))}:${String(rule(res))}:${Object.values(res.data ?? {}).every((value) => value === null) ? 'nothing' : 'data'}`
            : `allowed:${res.status}`;
          expect(outcome).toBe(allowed ? 'allowed:200' : 'FORBIDDEN:role-not-permitted:nothing');
        });
      }
    }
  });

  describe('scoping of reports to the agency', () => {
    it('lets a partner agency record for the measure', async () => {
      const key = await issueTestKey(t, { role: 'AGENCY', agencyId: PARTNER });
      const op = recordMeeting();
      const res = await t.gql(op.query, op.variables, authHeader(key));
      expect(res.errors).toBeUndefined();
    });

    it('refuses an agency that is neither responsible nor partner, naming the rule and the measure', async () => {
      const key = await issueTestKey(t, { role: 'AGENCY', agencyId: UNASSIGNED });
      const op = recordMeeting();
      const res = await t.gql(op.query, op.variables, authHeader(key));
      expect(code(res)).toBe('FORBIDDEN');
      expect(rule(res)).toBe('agency-not-assigned-to-measure');
      expect(res.errors?.[0].message).toContain(MEASURE);
      expect(res.errors?.[0].message).not.toContain(RESPONSIBLE);
      expect(res.errors?.[0].message).not.toContain(PARTNER);
    });

    it("refuses an agency reading another agency's report history", async () => {
      const key = await issueTestKey(t, { role: 'AGENCY', agencyId: PARTNER });
      const res = await t.gql(`{ reportHistory(agencyId: "${RESPONSIBLE}", reportId: "x") { reportId } }`, undefined, authHeader(key));
      expect(code(res)).toBe('FORBIDDEN');
      expect(rule(res)).toBe('agency-reads-own-reports-only');
    });
  });

  describe('authentication', () => {
    it('answers health without a credential', async () => {
      const res = await t.gql('{ health { status } }');
      expect(res.errors).toBeUndefined();
      expect(res.status).toBe(200);
    });

    it('refuses anything else without a credential: UNAUTHENTICATED, HTTP 401, nothing executed', async () => {
      for (const query of ['{ plans { id } }', '{ me { id } }', '{ health { status } plans { id } }']) {
        const res = await t.gql(query);
        expect(res.status).toBe(401);
        expect(code(res)).toBe('UNAUTHENTICATED');
        expect(res.data).toBeUndefined();
      }
    });

    it('refuses a mutation without a credential and stores nothing', async () => {
      const before = (await t.gql<{ health: { headPosition: string } }>('{ health { headPosition } }')).data!.health.headPosition;
      const op = recordMeeting();
      const res = await t.gql(op.query, op.variables);
      expect(res.status).toBe(401);
      expect(code(res)).toBe('UNAUTHENTICATED');
      const after = (await t.gql<{ health: { headPosition: string } }>('{ health { headPosition } }')).data!.health.headPosition;
      expect(after).toBe(before);
    });

    it.each([
      ['garbage', 'Bearer garbage'],
      ['a key of the right shape that was never issued', `Bearer apl_NeverIssued1_${'x'.repeat(43)}`],
      ['a real key id with a wrong secret', () => `Bearer ${keys.ADMIN.slice(0, 17)}${'y'.repeat(43)}`],
      ['a JWT when none is configured', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
      ['no Bearer scheme', () => keys.ADMIN],
    ])('refuses %s: UNAUTHENTICATED, HTTP 401', async (_label, header) => {
      const value = typeof header === 'function' ? header() : header;
      const res = await t.gql('{ plans { id } }', undefined, { authorization: value });
      expect(res.status).toBe(401);
      expect(code(res)).toBe('UNAUTHENTICATED');
    });

    it('answers me with the principal of the key', async () => {
      const res = await t.gql<{ me: Record<string, unknown> }>('{ me { role agencyId label } }', undefined, authHeader(keys.AGENCY));
      expect(res.data?.me).toEqual({ role: 'AGENCY', agencyId: RESPONSIBLE, label: `e2e AGENCY ${RESPONSIBLE}` });
    });
  });

  describe('key management over GraphQL', () => {
    const admin = () => authHeader(keys.ADMIN);

    it('issues a key that works at once and is shown only in that answer', async () => {
      const res = await t.gql<{ issueApiKey: { keyId: string; key: string; role: string; agencyId: string; label: string } }>(
        'mutation { issueApiKey(input: { role: AGENCY, agencyId: "ministry-of-justice", label: "MoJ case system" }) { keyId key role agencyId label } }',
        undefined,
        admin(),
      );
      expect(res.errors).toBeUndefined();
      const issued = res.data!.issueApiKey;
      expect(issued).toMatchObject({ role: 'AGENCY', agencyId: 'ministry-of-justice', label: 'MoJ case system' });
      expect(issued.key).toMatch(new RegExp(`^apl_${issued.keyId}_[A-Za-z0-9_-]{43}$`));
      const me = await t.gql<{ me: { id: string } }>('{ me { id } }', undefined, authHeader(issued.key));
      expect(me.data?.me.id).toBe(issued.keyId);

      const list = await t.gql<{ apiKeys: Array<Record<string, unknown>> }>(
        '{ apiKeys { keyId role agencyId label active issuedBy issuedAt } }',
        undefined,
        admin(),
      );
      expect(list.data?.apiKeys).toContainEqual(expect.objectContaining({ keyId: issued.keyId, active: true, role: 'AGENCY' }));
      expect(JSON.stringify(list)).not.toContain(issued.key.slice(issued.keyId.length + 5));
    });

    it.each([
      ['AGENCY without an agency', '{ role: AGENCY, label: "x" }', 'input.agencyId'],
      ['AGENCY with an agency not in the register', '{ role: AGENCY, agencyId: "no-such-agency", label: "x" }', 'input.agencyId'],
      ['a COORDINATOR naming an agency', '{ role: COORDINATOR, agencyId: "ministry-of-justice", label: "x" }', 'input.agencyId'],
      ['an empty label', '{ role: AUDITOR, label: "  " }', 'input.label'],
    ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, input, field) => {
      const res = await t.gql(`mutation { issueApiKey(input: ${input}) { keyId } }`, undefined, admin());
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions?.field).toBe(field);
    });

    it('revokes a key: it stops working at once', async () => {
      const key = await issueTestKey(t, { role: 'COORDINATOR' });
      const keyId = key.split('_')[1];
      expect((await t.gql('{ plans { id } }', undefined, authHeader(key))).errors).toBeUndefined();
      const res = await t.gql<{ revokeApiKey: { active: boolean; revokedReason: string } }>(
        'mutation ($id: String!) { revokeApiKey(keyId: $id, reason: "laptop stolen") { active revokedReason } }',
        { id: keyId },
        admin(),
      );
      expect(res.data?.revokeApiKey).toEqual({ active: false, revokedReason: 'laptop stolen' });
      const after = await t.gql('{ plans { id } }', undefined, authHeader(key));
      expect(after.status).toBe(401);
      expect(code(after)).toBe('UNAUTHENTICATED');
    });

    it('answers NOT_FOUND for revoking an unknown key', async () => {
      const res = await t.gql('mutation { revokeApiKey(keyId: "NoSuchKey000", reason: "x") { keyId } }', undefined, admin());
      expect(code(res)).toBe('NOT_FOUND');
    });

    it('sees a revocation made by another process (the CLI) within the polling interval', async () => {
      const key = await issueTestKey(t, { role: 'AUDITOR' });
      const keyId = key.split('_')[1];
      const cliStore = SqliteEventStore.open(join(t.dataDir, 'events.db'));
      try {
        const cliRegistry = new KeyRegistry(cliStore);
        await cliRegistry.catchUp();
        await new KeyService(cliStore, cliRegistry, { agency: () => undefined }).revoke(keyId, 'rotated', 'cli:ops');
      } finally {
        await cliStore.close();
      }
      // The api learns of it from the log (its key registry follows the store), not from a call:
      // asked until refused. How soon is the registry's follower's concern (libs/auth specs),
      // not a wall-clock bound here, which a loaded machine would break.
      const started = Date.now();
      let res = await t.gql('{ plans { id } }', undefined, authHeader(key));
      while (res.status !== 401 && Date.now() - started < WAIT_UNTIL_MS) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        res = await t.gql('{ plans { id } }', undefined, authHeader(key));
      }
      expect(res.status).toBe(401);
    });
  });

  describe('logging of refusals', () => {
    it('logs UNAUTHENTICATED and FORBIDDEN with principal and operation, never the key', async () => {
      logger.lines.length = 0;
      const stranger = `apl_${keys.AUDITOR.split('_')[1]}_${'q'.repeat(43)}`;
      await t.gql('query StrangerQuery { plans { id } }', undefined, authHeader(stranger));
      await t.gql('query NoKeyQuery { plans { id } }');
      await t.gql('query CoordinatorKeys { apiKeys { keyId } }', undefined, authHeader(keys.COORDINATOR));
      const unassigned = await issueTestKey(t, { role: 'AGENCY', agencyId: UNASSIGNED });
      const op = recordMeeting();
      await t.gql(op.query.replace('mutation Record', 'mutation UnassignedRecord'), op.variables, authHeader(unassigned));

      const log = logger.lines.join('\n');
      expect(log).toMatch(/UNAUTHENTICATED .*StrangerQuery/);
      expect(log).toMatch(/UNAUTHENTICATED .*NoKeyQuery/);
      const coordinatorId = keys.COORDINATOR.split('_')[1];
      expect(log).toMatch(new RegExp(`FORBIDDEN rule=role-not-permitted principal=${coordinatorId} role=COORDINATOR operation=CoordinatorKeys`));
      expect(log).toMatch(
        new RegExp(`FORBIDDEN rule=agency-not-assigned-to-measure principal=${unassigned.split('_')[1]} role=AGENCY agency=${UNASSIGNED} operation=UnassignedRecord`),
      );
      // Each refusal is logged once.
      expect(log.match(/operation=CoordinatorKeys/g)).toHaveLength(1);
      expect(log.match(/operation=UnassignedRecord/g)).toHaveLength(1);
      for (const key of [...Object.values(keys), stranger, unassigned]) {
        expect(log).not.toContain(key);
        expect(log).not.toContain(key.slice(key.indexOf('_', 4) + 1));
      }
      // The refusal names the field refused, and the operation only when the document names one
      // (an unnamed one was called "anonymous", which read as if the caller were).
      const named = await t.gql('query CoordinatorKeys { apiKeys { keyId } }', undefined, authHeader(keys.COORDINATOR));
      expect(named.errors?.[0].message).toMatch(/^Role COORDINATOR may not \S+ \(Query\.apiKeys in CoordinatorKeys\)$/);
      const unnamed = await t.gql('{ apiKeys { keyId } }', undefined, authHeader(keys.COORDINATOR));
      expect(unnamed.errors?.[0].message).toMatch(/^Role COORDINATOR may not \S+ \(Query\.apiKeys\)$/);
    });
  });

  describe('JWT from an identity provider', () => {
    it('refuses an AGENCY token naming a group of agencies or an unknown agency, as issueApiKey refuses such a key', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      // The 2022–2023 plan's register: ngo-roundtable is a group (its members report), hungarian-baptist-aid a member.
      const jwtApp = await startTestApp({
        env: { AUTH_JWT_ISSUER: 'https://idp.example.test/', AUTH_JWT_AUDIENCE: 'action-plan-ledger', AUTH_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      });
      try {
        const tokenFor = (agencyId: string) =>
          new SignJWT({ role: 'AGENCY', agency_id: agencyId })
            .setProtectedHeader({ alg: 'ES256' })
            .setSubject(`system-of-${agencyId}`)
            .setIssuer('https://idp.example.test/')
            .setAudience('action-plan-ledger')
            .setExpirationTime('5m')
            .sign(privateKey);
        const member = await jwtApp.gql<{ me: Record<string, unknown> }>('{ me { role agencyId } }', undefined, authHeader(await tokenFor('hungarian-baptist-aid')));
        expect(member.data?.me).toEqual({ role: 'AGENCY', agencyId: 'hungarian-baptist-aid' });
        for (const agencyId of ['ngo-roundtable', 'no-such-agency']) {
          const refused = await jwtApp.gql('{ me { role agencyId } }', undefined, authHeader(await tokenFor(agencyId)));
          expect({ status: refused.status, code: code(refused) }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
          // Nothing can be recorded in its name either.
          const record = await jwtApp.gql(
            'mutation { recordMeetingHeld(input: { planId: "hu-2022-2023", measureCode: "IV.5.1", reportId: "grp-1", occurredOn: "2023-05-02", title: "Roundtable", meetingKind: WORKING_GROUP }) { position } }',
            undefined,
            authHeader(await tokenFor(agencyId)),
          );
          expect(record.status).toBe(401);
        }
        const groupKey = await jwtApp.gql('mutation { issueApiKey(input: { role: AGENCY, agencyId: "ngo-roundtable", label: "x" }) { keyId } }', undefined, authHeader(await issueTestKey(jwtApp, { role: 'ADMIN' })));
        expect(groupKey.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.agencyId', reason: expect.stringMatching(/group of agencies.*member agencies/) } });
      } finally {
        await jwtApp.close({ removeData: true });
      }
    }, 60_000);

    it('accepts a signed token with role and agency_id claims beside API keys', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const jwtApp = await startTestApp({
        env: {
          PLAN_FILES: 'none',
          AUTH_JWT_ISSUER: 'https://idp.example.test/',
          AUTH_JWT_AUDIENCE: 'action-plan-ledger',
          AUTH_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        },
      });
      try {
        const token = await new SignJWT({ role: 'AUDITOR', name: 'State Audit Office' })
          .setProtectedHeader({ alg: 'ES256' })
          .setSubject('auditor-7')
          .setIssuer('https://idp.example.test/')
          .setAudience('action-plan-ledger')
          .setExpirationTime('5m')
          .sign(privateKey);
        const me = await jwtApp.gql<{ me: Record<string, unknown> }>('{ me { id role agencyId label } }', undefined, authHeader(token));
        expect(me.data?.me).toEqual({ id: 'auditor-7', role: 'AUDITOR', agencyId: null, label: 'State Audit Office' });
        const forbidden = await jwtApp.gql('{ apiKeys { keyId } }', undefined, authHeader(token));
        expect(code(forbidden)).toBe('FORBIDDEN');
        const tampered = await jwtApp.gql('{ me { id } }', undefined, authHeader(`${token.slice(0, -4)}AAAA`));
        expect(tampered.status).toBe(401);
      } finally {
        await jwtApp.close({ removeData: true });
      }
    });
  });
});
