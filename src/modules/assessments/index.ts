export { AssessmentService } from './assessments.service.ts';
export { registerAssessmentRoutes } from './assessments.routes.ts';
export { checkTemplateFile } from './assessments.template.ts';
export { seedAssessments, type AssessmentSeedCounts } from './assessments.seed.ts';
export { OUTCOME_LABELS as ASSESSMENT_OUTCOME_LABELS } from './assessments.schemas.ts';
export { censusAssessments, type CensusAssessment } from './assessments.census.ts';
