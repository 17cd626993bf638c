import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../common/errors.ts';
import { formErrors } from './forms.ts';

/** The one place where domain and framework errors become HTTP answers, as a page or as JSON. */

type Answer = {
  status: number;
  title: string;
  message: string;
  fields?: ValidationError['fields'];
  allowed?: string[];
  next?: { href: string; text: string };
};

const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_CSRF_MISSING_SECRET: 'This form has expired. Go back, reload the page and try again.',
  FST_CSRF_INVALID_TOKEN:
    'This form has expired or did not come from Wraparound. Go back, reload the page and try again.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'What you sent is too large.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'This type of content is not accepted here.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty: send a JSON object.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
};

function answerFor(error: FastifyError | Error): Answer | undefined {
  if (error instanceof ValidationError)
    return {
      status: 400,
      title: 'There is a problem',
      message: 'Check the details you entered.',
      fields: error.fields,
    };
  if (error instanceof UnauthenticatedError)
    return { status: 401, title: 'Sign in again', message: error.message };
  if (error instanceof ForbiddenError)
    return { status: 403, title: 'You do not have access to this', message: error.message, next: error.next };
  if (error instanceof NotFoundError) return { status: 404, title: 'Page not found', message: error.message };
  if (error instanceof ConflictError)
    return { status: 409, title: 'This could not be done', message: error.message, allowed: error.allowed };
  if (error instanceof DomainError)
    return { status: 400, title: 'There is a problem', message: error.message };
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    const code = (error as FastifyError).code;
    const title =
      status === 403 ? 'This form has expired' : status === 429 ? 'Too many attempts' : 'There is a problem';
    return { status, title, message: FRAMEWORK_MESSAGES[code] ?? error.message };
  }
  return undefined;
}

export function wantsJson(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/')) return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export function sendError(request: FastifyRequest, reply: FastifyReply, answer: Answer) {
  reply.status(answer.status);
  if (wantsJson(request)) {
    return reply.send({
      error: answer.title,
      message: answer.message,
      ...(answer.fields ? { fields: answer.fields } : {}),
      ...(answer.allowed?.length ? { allowed: answer.allowed } : {}),
      ...(answer.next ? { next: answer.next } : {}),
      requestId: request.id,
    });
  }
  return reply.page('error.njk', {
    title: answer.title,
    message: answer.message,
    errors: answer.fields ? formErrors(answer.fields) : undefined,
    status: answer.status,
    next: answer.next,
  });
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const answer = answerFor(error);
    if (answer) {
      if (answer.status >= 403)
        request.log.info({ err: { name: error.name, code: error.code } }, answer.title);
      return sendError(request, reply, answer);
    }
    request.log.error({ err: error }, 'unexpected error');
    reply.status(500);
    if (wantsJson(request)) return reply.send({ error: 'Internal error', requestId: request.id });
    return reply.page('error.njk', {
      title: 'Sorry, there is a problem with the service',
      message: 'Try again later. If it keeps happening, tell your service desk this reference:',
      reference: request.id,
      status: 500,
    });
  });

  app.setNotFoundHandler(async (request, reply) =>
    sendError(request, reply, {
      status: 404,
      title: 'Page not found',
      message:
        'If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.',
    }),
  );
}
