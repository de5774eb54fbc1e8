import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller.js';

/** Documents for coordinators and auditors: GET /reports/implementation (libs/report). */
@Module({ controllers: [ReportsController] })
export class ReportsModule {}
