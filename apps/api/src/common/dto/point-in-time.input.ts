import { Field, InputType } from '@nestjs/graphql';
import { IsDate, IsOptional, Matches } from 'class-validator';
import { DateTimeScalar } from '../../common/date-time.scalar.js';

/** A global position as a client writes it: digits, any number of them (one past the log's end is PointInTime.resolve's to refuse). */
export const POSITION_PATTERN = /^\d+$/;
export const POSITION_RULE = 'must be a global position: a whole number written in digits';

/** Argument description shared by every projection query and field that takes `at`. */
export const AT =
  'Auditors (REPLAY): answer as the ledger stood at this point of its history — after the event at a position, or as recorded by an instant — by replaying it. Not to be confused with asOf, the business date statuses and figures are evaluated on (reports dated after it do not count; it still defaults to today).';

@InputType({
  description:
    'A point in the ledger\'s history: give exactly one. `position`: after every event at or before this global position. `recordedAt`: the last position recorded at or before this instant (recording time = metadata.recordedAt, else the commit time).',
})
export class PointInTimeInput {
  @Field({ nullable: true, description: 'A global position (bigint as a string).' })
  @IsOptional()
  @Matches(POSITION_PATTERN, { message: `position ${POSITION_RULE}` })
  position?: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'An instant, RFC 3339 with an explicit offset (e.g. 2026-11-25T12:00:00Z).' })
  @IsOptional()
  @IsDate()
  recordedAt?: Date;
}
