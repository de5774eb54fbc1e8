import { Module } from '@nestjs/common';
import { AssessmentResolver } from './assessment.resolver.js';
import { AssessmentService } from './assessment.service.js';

/** Coordinators' assessments of measures (OGP IRM levels): the only write coordinators make. */
@Module({ providers: [AssessmentResolver, AssessmentService] })
export class AssessmentModule {}
