import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IMPLEMENTATION_LEVELS, type ImplementationLevel as LevelValue } from '@app/domain';

export enum ImplementationLevel {
  NOT_STARTED = 'NOT_STARTED',
  LIMITED = 'LIMITED',
  SUBSTANTIAL = 'SUBSTANTIAL',
  COMPLETE = 'COMPLETE',
  WITHDRAWN = 'WITHDRAWN',
}
const _sameLevels: [LevelValue, `${ImplementationLevel}`] extends [`${ImplementationLevel}`, LevelValue] ? true : never = true;
void _sameLevels;
void IMPLEMENTATION_LEVELS;
registerEnumType(ImplementationLevel, {
  name: 'ImplementationLevel',
  description: "A measure's implementation on the OGP Independent Reporting Mechanism's completion scale, plus WITHDRAWN.",
  valuesMap: {
    NOT_STARTED: { description: 'No activity towards the measure.' },
    LIMITED: { description: 'Some activity, but far from what the measure requires.' },
    SUBSTANTIAL: { description: 'Most of what the measure requires is done.' },
    COMPLETE: { description: 'Fully implemented.' },
    WITHDRAWN: { description: 'Dropped from the plan (e.g. by amendment or a government decision).' },
  },
});

@ObjectType('IndicatorComment', { description: 'A comment of the assessment on one indicator of the measure.' })
export class IndicatorCommentModel {
  @Field({ description: "The indicator's key in the plan." })
  indicatorKey: string;

  @Field()
  comment: string;
}

@ObjectType('Assessment', { description: "A coordinator's judgement of a measure as of a date, as it now stands (corrections applied)." })
export class AssessmentModel {
  @Field(() => ID, { description: "The coordinator system's own id of the assessment." })
  assessmentId: string;

  @Field(() => ImplementationLevel)
  level: ImplementationLevel;

  @Field({ description: 'The business date the judgement describes (YYYY-MM-DD).' })
  asOf: string;

  @Field()
  narrative: string;

  @Field(() => [String], { description: 'References to evidence: document numbers, URLs, file ids, report ids.' })
  evidence: string[];

  @Field(() => [IndicatorCommentModel])
  indicatorComments: IndicatorCommentModel[];

  @Field(() => Int, { description: 'How many times it was corrected (its history: assessmentHistory).' })
  corrections: number;

  @Field({ description: 'When it was first recorded (server time).' })
  recordedAt: string;

  @Field({ description: 'The principal that first recorded it.' })
  recordedBy: string;

  @Field({ description: 'When it was last recorded or corrected (server time).' })
  updatedAt: string;

  @Field({ description: 'Global position of its last event (bigint as a string).' })
  position: string;
}
