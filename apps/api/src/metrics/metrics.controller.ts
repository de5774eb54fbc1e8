import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '@app/auth';
import { LedgerMetrics } from './ledger-metrics.js';

/**
 * Prometheus scrape endpoint, without a credential (like the health endpoints): it tells counts
 * and timings, never data. Keep it on the internal network in deployments.
 */
@Controller('metrics')
@Public()
export class MetricsController {
  constructor(@Inject(LedgerMetrics) private readonly metrics: LedgerMetrics) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    res.setHeader('content-type', contentType);
    res.setHeader('cache-control', 'no-store');
    res.send(body);
  }
}
