import { Inject, Injectable } from '@nestjs/common';
import {
  REPORT_STREAM_PREFIX,
  isLegacyReportStream,
  legacyReportStreamName,
  legacyStreamBelongsTo,
  reportStreamName,
} from '@app/domain';
import { EVENT_STORE, type EventStore } from '@app/event-store';

/**
 * Finds the stream of an (agency, report) pair: `activity-<agencyId>/<reportId>`, or in a store
 * written before that naming, the legacy `activity-<agencyId>-<reportId>` stream when its first
 * event is that very report (libs/domain report-streams.ts). So a report recorded by older code
 * is still found, its retries are still idempotent and it is still corrected on its own stream,
 * while a legacy stream another agency's ids happen to spell never answers.
 *
 * Whether the store holds legacy streams at all is asked once: legacy streams are only ever
 * written by older code, so they come before every new-style one in the log. A store with no
 * report yet is asked again next time (an import may bring legacy reports).
 */
@Injectable()
export class ReportStreamLocator {
  private legacy: boolean | undefined;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The stream the report lives on (or will be recorded on). Refuses malformed ids naming the field. */
  async locate(agencyId: string, reportId: string): Promise<string> {
    const stream = reportStreamName(agencyId, reportId);
    if (!(await this.hasLegacyStreams())) return stream;
    const legacy = legacyReportStreamName(agencyId, reportId);
    const [first] = await this.store.readStream(legacy, { maxCount: 1 });
    return first !== undefined && legacyStreamBelongsTo(first.data, agencyId, reportId) ? legacy : stream;
  }

  /**
   * {@link locate} for many reports at once (a bulk batch): the store is asked whether it holds
   * legacy streams once, not once per report. Each answer is the stream, or the refusal locate
   * would have thrown for that report.
   */
  async locateAll(reports: readonly { readonly agencyId: string; readonly reportId: string }[]): Promise<Array<string | { readonly error: unknown }>> {
    const legacy = reports.length > 0 && (await this.hasLegacyStreams());
    const streams: Array<string | { readonly error: unknown }> = [];
    for (const { agencyId, reportId } of reports) {
      try {
        streams.push(legacy ? await this.locate(agencyId, reportId) : reportStreamName(agencyId, reportId));
      } catch (error) {
        streams.push({ error });
      }
    }
    return streams;
  }

  private async hasLegacyStreams(): Promise<boolean> {
    if (this.legacy !== undefined) return this.legacy;
    for await (const event of this.store.readAll({ filter: { streamPrefixes: [REPORT_STREAM_PREFIX] }, maxCount: 1 })) {
      this.legacy = isLegacyReportStream(event.stream);
      return this.legacy;
    }
    return false;
  }
}
