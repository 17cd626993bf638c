import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ctx } from '../common/context.ts';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors.ts';
import { formErrors, parseWith } from './forms.ts';
import type { RouteAccess } from './route-access.ts';

type Params = Record<string, string>;

export type FormPage<S extends z.ZodType> = {
  url: string;
  access: RouteAccess;
  view: string;
  schema: S;
  /** What the page shows besides the form: choices for selects, the record's current values. */
  load(ctx: Ctx, params: Params): Promise<{ values?: Record<string, unknown> } & Record<string, unknown>>;
  /** Makes the change; answers where to go next and what to tell the person there. */
  submit(ctx: Ctx, data: z.output<S>, params: Params): Promise<{ redirect: string; flash: string }>;
};

const Uuid = z.uuid();

/** Ids in the path must be uuids; anything else is a page that does not exist. */
export function pathParams(request: FastifyRequest): Params {
  const params = (request.params ?? {}) as Params;
  for (const [key, value] of Object.entries(params)) {
    if (key.endsWith('Id') && !Uuid.safeParse(value).success) throw new NotFoundError('Page');
  }
  return params;
}

/**
 * The GET and POST of a GOV.UK form page: show it, parse what was sent with its schema, and on a
 * mistake show it again with status 400, the error summary and the person's own input kept.
 * A change that lost a race with another editor is shown again with status 409.
 */
export function registerFormPage<S extends z.ZodType>(app: FastifyInstance, page: FormPage<S>) {
  app.get(page.url, { config: { access: page.access } }, async (request, reply) => {
    const params = pathParams(request);
    const data = await page.load(request.ctx(), params);
    return reply.page(page.view, { ...data, values: data.values ?? {} });
  });

  app.post(page.url, { config: { access: page.access } }, async (request, reply) => {
    const params = pathParams(request);
    const ctx = request.ctx();
    const body = (request.body ?? {}) as Record<string, unknown>;
    // After a lost race the page shows the record as it now is; otherwise exactly what the person
    // sent (an unticked checkbox sends nothing, so no default may fill it back in).
    const again = async (status: number, fieldList: ValidationError['fields'], keepInput = true) => {
      const data = await page.load(ctx, params);
      const values = keepInput ? body : data.values;
      return reply.page(page.view, { ...data, values, errors: formErrors(fieldList) }, status);
    };
    const parsed = parseWith(page.schema, body);
    if (!parsed.ok) return again(400, parsed.errors);
    try {
      const { redirect, flash } = await page.submit(ctx, parsed.data, params);
      return reply.flash(flash).redirect(redirect, 303);
    } catch (error) {
      if (error instanceof ValidationError) return again(400, error.fields);
      if (error instanceof ConflictError)
        return again(409, [{ field: 'form', message: error.message }], false);
      throw error;
    }
  });
}
