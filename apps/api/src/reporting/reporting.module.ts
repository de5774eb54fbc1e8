import { Module } from '@nestjs/common';
import { ExecuteReportHandler } from './commands/execute-report.handler.js';
import { ReportStreamLocator } from './report-stream-locator.js';
import { ReportingResolver } from './reporting.resolver.js';

/** Agencies' reports: one record<EventType> mutation per catalogue type, correct<EventType> corrections, retractions. */
@Module({ providers: [ReportingResolver, ExecuteReportHandler, ReportStreamLocator] })
export class ReportingModule {}
