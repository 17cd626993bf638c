import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FieldError } from '../../common/errors.ts';
import type { WebServices } from '../../web/app.ts';
import { pathParams } from '../../web/form-route.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import { formatNhsNumber } from '../people/index.ts';
import { FLAG_TYPE_LABELS } from './signals.flags.ts';
import { CHECK_SETTING_LABELS, FlagCheckForm, type FlagQuery } from './signals.flags.schemas.ts';

type Services = Pick<WebServices, 'flags'>;

const VIEWS = 'signals/views';
const LABELS = { flagType: FLAG_TYPE_LABELS, setting: CHECK_SETTING_LABELS };

const AMBIGUOUS: FieldError = {
  field: 'nhsNumber',
  message: 'More than one child has this name and date of birth: enter the child’s NHS number',
};

/** What the clinician searched for, in words: the result page repeats it and nothing from the record. */
function searchedFor(query: FlagQuery): string {
  if (query.by === 'nhs_number') return `NHS number ${formatNhsNumber(query.nhsNumber)}`;
  const [year, month, day] = query.dateOfBirth.split('-');
  return `${query.givenName} ${query.familyName}, born ${Number(day)}/${Number(month)}/${year}`;
}

/** The flag check for unscheduled care, and a child's flag for the practitioners working with them. */
export function registerFlagRoutes(app: FastifyInstance, { flags }: Services) {
  const form = (
    reply: FastifyReply,
    values: Record<string, unknown>,
    problems?: FieldError[],
    status?: number,
  ) =>
    reply.page(
      `${VIEWS}/flag-check.njk`,
      { labels: LABELS, values, errors: problems && formErrors(problems) },
      status,
    );

  app.get('/flags/check', { config: { access: 'flags.check' } }, async (_request, reply) =>
    form(reply, { setting: 'unscheduled' }),
  );

  app.post('/flags/check', { config: { access: 'flags.check' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const parsed = parseWith(FlagCheckForm, body);
    if (!parsed.ok) return form(reply, body, parsed.errors, 400);
    const result = await flags.check(request.ctx(), parsed.data);
    if (result.outcome === 'ambiguous') return form(reply, body, [AMBIGUOUS], 400);
    return reply.page(`${VIEWS}/flag-result.njk`, {
      labels: LABELS,
      searched: searchedFor(parsed.data),
      setting: parsed.data.setting,
      ...result,
    });
  });

  app.get('/people/:personId/flag', { config: { access: 'person' } }, async (request, reply) => {
    const { personId } = pathParams(request);
    const flag = await flags.flagOf(request.ctx(), personId!);
    return reply.page(`${VIEWS}/flag-person.njk`, { labels: LABELS, personId, ...flag });
  });
}
