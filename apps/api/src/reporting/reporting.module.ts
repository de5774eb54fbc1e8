import { Module } from '@nestjs/common';
import { BulkReportService } from './bulk/bulk-report.service.js';
import { BulkReportingResolver } from './bulk/bulk-reporting.resolver.js';
import { ImportsController } from './bulk/imports.controller.js';
import { ExecuteReportHandler } from './commands/execute-report.handler.js';
import { ReportStreamLocator } from './report-stream-locator.js';
import { ReportingResolver } from './reporting.resolver.js';

/** Agencies' reports: one record<EventType> mutation per catalogue type, correct<EventType> corrections, retractions, recordReports in bulk. */
@Module({ controllers: [ImportsController], providers: [ReportingResolver, ExecuteReportHandler, ReportStreamLocator, BulkReportService, BulkReportingResolver] })
export class ReportingModule {}
