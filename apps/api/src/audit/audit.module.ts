import { Global, Module } from '@nestjs/common';
import { AuditResolver } from './audit.resolver.js';
import { AuditService } from './audit.service.js';
import { POINT_IN_TIME_SNAPSHOTS } from '../common/point-in-time.token.js';

/**
 * What auditors use: the event history (`events`), integrity verification (`verifyLedger`) over
 * the hash chain this instance keeps in `<DATA_DIR>/audit-chain.db`, and point-in-time
 * evaluation of the projection queries (their `at` argument). Global so the projections feature
 * finds POINT_IN_TIME_SNAPSHOTS without importing this module.
 */
@Global()
@Module({
  providers: [AuditService, AuditResolver, { provide: POINT_IN_TIME_SNAPSHOTS, useExisting: AuditService }],
  exports: [AuditService, POINT_IN_TIME_SNAPSHOTS],
})
export class AuditModule {}
