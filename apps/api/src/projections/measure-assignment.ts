import type { MeasureAssignment } from '@app/auth';
import type { Measure } from '../common/models/measure.model.js';

/** Made once per Measure object (PlanViews keeps one per plan version). */
const assignments = new WeakMap<Measure, MeasureAssignment>();

/**
 * A measure's agencies as AccessPolicy reads them (assertCanReadMeasure): its code and the ids of
 * its responsible bodies and partners. Shared by the progress fields of Measure and the
 * measureUpdated subscription, which grant and refuse alike.
 */
export function measureAssignment(measure: Measure): MeasureAssignment {
  let assignment = assignments.get(measure);
  if (!assignment) {
    assignment = { code: measure.code, responsible: measure.responsible.map((a) => a.id), partners: measure.partners.map((a) => a.id) };
    assignments.set(measure, assignment);
  }
  return assignment;
}
