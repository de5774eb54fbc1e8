import { Module } from '@nestjs/common';
import { ExecuteReportHandler } from './commands/execute-report.handler.js';
import { ReportingResolver } from './reporting.resolver.js';

/** Agencies' reports: one record<EventType> mutation per catalogue type, corrections, retractions. */
@Module({ providers: [ReportingResolver, ExecuteReportHandler] })
export class ReportingModule {}
