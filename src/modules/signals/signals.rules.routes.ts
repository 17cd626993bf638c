import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../../common/errors.ts';
import type { WebServices } from '../../web/app.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import { RULE_KEY_PATTERN, SIGNAL_ROUTE_LABELS, SignalRuleInput } from './signals.rules.service.ts';
import { CATEGORY_KEYS, FEED_KIND_KEYS, SEVERITIES } from './signals.vocabulary.ts';

type Services = Pick<WebServices, 'signalRules'>;

const VIEWS = 'signals/views';
const ACCESS = { config: { access: 'signals.rules' } } as const;

/** What every rule page names: where alerts go, and the words the JSON may use (for the help). */
const LABELS = {
  route: SIGNAL_ROUTE_LABELS,
  categories: CATEGORY_KEYS,
  severities: SEVERITIES,
  feedKinds: FEED_KIND_KEYS,
};

/** The rule named in the path; a key that could not be one is a page that does not exist. */
function ruleKey(request: FastifyRequest): string {
  const { key } = request.params as { key: string };
  if (!RULE_KEY_PATTERN.test(key)) throw new NotFoundError('Page');
  return key;
}

/** The partnership's signal rules: the list, a rule with its fixtures and history, and the form that saves a version. */
export function registerSignalRuleRoutes(app: FastifyInstance, services: Services) {
  const rules = services.signalRules;

  app.get('/signals/rules', ACCESS, async (request, reply) =>
    reply.page(`${VIEWS}/rules-list.njk`, { rules: await rules.list(request.ctx()), ruleLabels: LABELS }),
  );

  const showForm = (
    reply: FastifyReply,
    form: Record<string, unknown>,
    values: Record<string, unknown>,
    problems?: FieldError[],
    status?: number,
  ) =>
    reply.page(
      `${VIEWS}/rules-form.njk`,
      { ...form, values, ruleLabels: LABELS, errors: problems && formErrors(problems) },
      status,
    );

  /**
   * Saves what the form sent. A mistake shows the form again with the person's input; a lost race
   * shows the rule as it now is, with the person's own conditions and fixtures kept aside to copy.
   */
  const save = async (
    request: FastifyRequest,
    reply: FastifyReply,
    key: string | null,
    load: () => Promise<{ values: Record<string, unknown> } & Record<string, unknown>>,
  ) => {
    const body: Record<string, unknown> = { ...(request.body ?? {}), ...(key ? { key } : {}) };
    const parsed = parseWith(SignalRuleInput, body);
    if (!parsed.ok) return showForm(reply, await load(), body, parsed.errors, 400);
    try {
      const saved = await rules.save(request.ctx(), parsed.data);
      return reply
        .flash(`Version ${saved.version} of the rule saved`)
        .redirect(`/signals/rules/${saved.key}`, 303);
    } catch (error) {
      if (error instanceof ValidationError) return showForm(reply, await load(), body, error.fields, 400);
      if (error instanceof ConflictError) {
        const now = await load();
        const unsaved = { conditions: body.conditions, fixtures: body.fixtures };
        return showForm(
          reply,
          { ...now, unsaved },
          now.values,
          [{ field: 'form', message: error.message }],
          409,
        );
      }
      throw error;
    }
  };

  app.get('/signals/rules/new', ACCESS, async (request, reply) => {
    const form = await rules.newForm(request.ctx());
    return showForm(reply, form, form.values);
  });
  app.post('/signals/rules/new', ACCESS, (request, reply) =>
    save(request, reply, null, () => rules.newForm(request.ctx())),
  );

  app.get('/signals/rules/:key', ACCESS, async (request, reply) =>
    reply.page(`${VIEWS}/rules-rule.njk`, {
      ...(await rules.get(request.ctx(), ruleKey(request))),
      ruleLabels: LABELS,
    }),
  );

  app.get('/signals/rules/:key/edit', ACCESS, async (request, reply) => {
    const form = await rules.editForm(request.ctx(), ruleKey(request));
    return showForm(reply, form, form.values);
  });
  app.post('/signals/rules/:key/edit', ACCESS, (request, reply) => {
    const key = ruleKey(request);
    return save(request, reply, key, () => rules.editForm(request.ctx(), key));
  });
}
