import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { ROLE_LABELS } from '../common/context.ts';
import { SECTOR_LABELS } from '../modules/access/index.ts';
import { registerTranslations } from './i18n.ts';
import {
  DATA_TYPE_LABELS,
  DECISION_BASIS_LABELS,
  INVOLVEMENT_KIND_LABELS,
  LAWFUL_BASIS_LABELS,
  PURPOSE_LABELS,
  SENSITIVITY_LABELS,
} from '../common/sharing.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const srcDir = path.resolve(here, '..');
export const govukDist = path.resolve(srcDir, '../node_modules/govuk-frontend/dist');

const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
});
const dateOnly = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/**
 * Nunjucks with GOV.UK Frontend's templates. Module views live in `src/modules/<module>/views` and are
 * named from `src/modules`, e.g. `access/views/sign-in.njk`; shared layouts in `src/web/views`.
 */
export function createViews(): nunjucks.Environment {
  const env = nunjucks.configure([path.join(here, 'views'), path.join(srcDir, 'modules'), govukDist], {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('sectorLabel', (s: keyof typeof SECTOR_LABELS) => SECTOR_LABELS[s] ?? s);
  env.addFilter('roleLabel', (r: keyof typeof ROLE_LABELS) => ROLE_LABELS[r] ?? r);
  env.addFilter('dateTime', (d: Date | string | null) => (d ? dateTime.format(new Date(d)) : ''));
  env.addFilter('date', (d: string | null) => (d ? dateOnly.format(new Date(`${d}T00:00:00Z`)) : ''));
  env.addGlobal('serviceName', 'Wraparound');
  registerTranslations(env);
  env.addGlobal('labels', {
    purpose: PURPOSE_LABELS,
    lawfulBasis: { ...LAWFUL_BASIS_LABELS, ...DECISION_BASIS_LABELS },
    dataType: DATA_TYPE_LABELS,
    sensitivity: SENSITIVITY_LABELS,
    involvementKind: INVOLVEMENT_KIND_LABELS,
    sector: SECTOR_LABELS,
  });
  return env;
}
