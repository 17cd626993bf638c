export { OutcomeService, type IndicatorPanel } from './outcomes.service.ts';
export { registerOutcomeRoutes } from './outcomes.routes.ts';
export { LocalFrameworkService } from './outcomes.local-frameworks.ts';
export { registerLocalFrameworkRoutes } from './outcomes.local-frameworks.routes.ts';
export { scheduleOutcomeRefresh } from './outcomes.schedule.ts';
export { seedOutcomeFigures } from './outcomes.seed.ts';
export { INDICATORS, indicatorByCode, type Indicator } from './outcomes.indicators.ts';
export type { MeasureSource, MeasureRow } from './outcomes.measures.ts';
export { DEMO_HISTORY_YEARS, demoPracticeChange } from './outcomes.demo.ts';
export {
  dateInMonths,
  instantInMonths,
  measureRows,
  monthArray,
  monthOfDate,
  monthOfInstant,
  monthsOf,
} from './outcomes.measures.ts';
export {
  OUTCOME_FRAMEWORKS,
  frameworksFor,
  outcomeOf,
  type OutcomeFramework,
} from './outcomes.frameworks.ts';
export { MoneyService } from './outcomes.money.ts';
export { registerMoneyRoutes } from './outcomes.money.routes.ts';
export { seedMoney } from './outcomes.money.seed.ts';
export { EvaluationService } from './outcomes.evaluation.service.ts';
export { registerEvaluationRoutes } from './outcomes.evaluation.routes.ts';
export { PracticeChangeService, seedPracticeChanges } from './outcomes.practice-changes.ts';
