import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../common/errors.ts';
import type { WebServices } from '../../web/app.ts';
import { checkNhsNumber } from '../people/index.ts';
import { FLAG_TYPE_LABELS, type Flag, type FlagContacts } from './signals.flags.ts';

/**
 * The flag check as FHIR R4, for systems in emergency departments and ambulances:
 * `GET /fhir/Flag?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|<n>` answers a searchset
 * Bundle of Flag resources (UK Core Flag, as CP-IS's Patient Flags API does). It authenticates as
 * the JSON API does (an API token of an account with the flag-check role, or a session), and is
 * kept, audited and notified exactly as a check from the page. Errors are OperationOutcomes.
 */

export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';
const SEARCH_PARAMETER = 'patient:identifier';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
/** Our extensions' canonical base: the numbers to call are not part of the base Flag resource. */
const EXTENSION_BASE = 'https://wraparound.example/fhir/StructureDefinition';

type Coding = { system: string; code: string; display: string };
type ContactPoint = { system: 'phone'; value: string; use: 'work' };
type Extension = { url: string; valueContactPoint?: ContactPoint; valueString?: string };

export type FhirFlag = {
  resourceType: 'Flag';
  text: { status: 'generated'; div: string };
  extension: Extension[];
  status: 'active' | 'inactive';
  category: { coding: Coding[]; text: string }[];
  code: { text: string };
  subject: { identifier: { system: string; value: string } };
  period: { start: string; end?: string };
  author: { type: 'Organization'; display: string };
};

export type FhirBundle = {
  resourceType: 'Bundle';
  type: 'searchset';
  total: number;
  entry: { fullUrl: string; resource: FhirFlag; search: { mode: 'match' } }[];
};

type IssueCode = 'invalid' | 'login' | 'forbidden' | 'not-found' | 'conflict' | 'exception';

export type OperationOutcome = {
  resourceType: 'OperationOutcome';
  issue: { severity: 'error'; code: IssueCode; diagnostics: string; expression?: string[] }[];
};

const SAFETY: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/flag-category',
  code: 'safety',
  display: 'Safety',
};

const escapeXml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** One flag as a FHIR Flag: its type as the code's text, its dates as the period, whom to call. */
export function fhirFlag(flag: Flag, contacts: FlagContacts, nhsNumber: string): FhirFlag {
  const type = FLAG_TYPE_LABELS[flag.type];
  const dates = flag.endedOn ? `from ${flag.startedOn} to ${flag.endedOn}` : `since ${flag.startedOn}`;
  const call = `Call ${contacts.councilName}: office hours ${contacts.officeHoursPhone}, out of hours ${contacts.outOfHoursPhone}.`;
  const phone = (url: string, value: string): Extension => ({
    url: `${EXTENSION_BASE}/${url}`,
    valueContactPoint: { system: 'phone', value, use: 'work' },
  });
  return {
    resourceType: 'Flag',
    text: {
      status: 'generated',
      div: `<div xmlns="http://www.w3.org/1999/xhtml">${escapeXml(`${type} ${dates}. ${call}`)}</div>`,
    },
    extension: [
      phone('flag-office-hours-phone', contacts.officeHoursPhone),
      phone('flag-out-of-hours-phone', contacts.outOfHoursPhone),
    ],
    status: flag.active ? 'active' : 'inactive',
    category: [{ coding: [SAFETY], text: 'Safeguarding' }],
    code: { text: type },
    subject: { identifier: { system: NHS_NUMBER_SYSTEM, value: nhsNumber } },
    period: { start: flag.startedOn, ...(flag.endedOn ? { end: flag.endedOn } : {}) },
    author: { type: 'Organization', display: contacts.councilName },
  };
}

export function flagBundle(flags: Flag[], contacts: FlagContacts, nhsNumber: string): FhirBundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: flags.length,
    entry: flags.map((flag) => ({
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: fhirFlag(flag, contacts, nhsNumber),
      search: { mode: 'match' },
    })),
  };
}

/** The NHS number a search names, or a ValidationError naming the parameter. */
export function nhsNumberSearched(query: unknown): string {
  const raw = (query as Record<string, unknown> | undefined)?.[SEARCH_PARAMETER];
  const problem = (message: string) => new ValidationError([{ field: SEARCH_PARAMETER, message }]);
  if (typeof raw !== 'string' || raw === '')
    throw problem(`Search by ${SEARCH_PARAMETER}=${NHS_NUMBER_SYSTEM}|<NHS number>, once`);
  const bar = raw.indexOf('|');
  if (bar < 0 || raw.slice(0, bar) !== NHS_NUMBER_SYSTEM)
    throw problem(
      `The identifier’s system must be ${NHS_NUMBER_SYSTEM}, as in ${NHS_NUMBER_SYSTEM}|9434765919`,
    );
  const nhs = checkNhsNumber(raw.slice(bar + 1));
  if (!nhs.ok) throw problem(nhs.reason);
  return nhs.value;
}

function outcome(code: IssueCode, diagnostics: string, expression?: string[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, diagnostics, ...(expression ? { expression } : {}) }],
  };
}

/** Every error as an OperationOutcome with the status it would have anywhere else; never a 500 for input. */
function sendOutcome(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const send = (status: number, body: OperationOutcome) => reply.status(status).type(FHIR_JSON).send(body);
  if (error instanceof ValidationError) {
    const [first] = error.fields;
    return send(400, outcome('invalid', first?.message ?? error.message, first ? [first.field] : undefined));
  }
  if (error instanceof UnauthenticatedError) return send(401, outcome('login', error.message));
  if (error instanceof ForbiddenError) return send(403, outcome('forbidden', error.message));
  if (error instanceof NotFoundError) return send(404, outcome('not-found', error.message));
  if (error instanceof ConflictError) return send(409, outcome('conflict', error.message));
  const status = error.statusCode;
  if (status && status >= 400 && status < 500) return send(status, outcome('invalid', error.message));
  request.log.error({ err: error }, 'unexpected error');
  return send(500, outcome('exception', `Something went wrong on our side: quote request ${request.id}`));
}

export function registerFhirRoutes(app: FastifyInstance, { flags }: Pick<WebServices, 'flags'>) {
  app.register(async (fhir) => {
    fhir.setErrorHandler(sendOutcome);
    fhir.get('/fhir/Flag', { config: { access: 'flags.check' } }, async (request, reply) => {
      const nhsNumber = nhsNumberSearched(request.query);
      const result = await flags.check(
        request.ctx(),
        { by: 'nhs_number', nhsNumber, setting: 'unscheduled' },
        'fhir',
      );
      // A search by NHS number never matches more than one way; 'ambiguous' is for names only.
      if (result.outcome !== 'flags') throw new Error('A search by NHS number cannot be ambiguous');
      return reply.type(FHIR_JSON).send(flagBundle(result.flags, result.contacts, nhsNumber));
    });
  });
}
