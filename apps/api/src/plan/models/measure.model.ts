// Moved to common/models (shared by the plan and projections features). This re-export keeps
// projections/measure-progress.resolver.ts and models/measure-progress.model.ts compiling
// until branch `measures` (which redesigns them) imports from common; then delete this file.
export * from '../../common/models/measure.model.js';
