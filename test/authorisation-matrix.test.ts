import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/common/context.ts';
import { ContactInput, SECTOR_PROMPTS } from '../src/modules/referrals/referrals.schemas.ts';
import type { ContactStatus } from '../src/modules/referrals/referrals.workflow.ts';
import { buildCtx, buildSystemActor } from './helpers/context.ts';
import { createTrustApp, type AppUser, type TrustApp } from './helpers/trust-app.ts';
import type { Agent } from './helpers/web.ts';
import { aServiceRecord, saveTestServices, seedTestDirectory } from './helpers/directory.ts';

/**
 * The authorisation matrix: every route that reaches a child's record, and every list, search,
 * count, export and privacy page, and every page of the front door (where contacts about children
 * arrive), tried by each relationship a person can have with a child or a contact, through
 * the real app with real sign-ins. The expected answers are written out below by hand; they are not
 * worked out by the code under test. Each refusal must write nothing and leave a 'denied' audit event.
 */

// --- Who is asking, about whom -----------------------------------------------------------------

type ActorName =
  | 'socialWorker'
  | 'teamMember'
  | 'uninvolved'
  | 'emergencyWorker'
  | 'manager'
  | 'teacher'
  | 'gp'
  | 'housingOfficer'
  | 'charityWorker'
  | 'analyst'
  | 'privacyOfficer'
  | 'admin'
  | 'outsider'
  | 'otherPrivacyOfficer'
  | 'frontDoorWorker'
  | 'frontDoorHolder';

type PersonName = 'child' | 'sealedChild' | 'otherChild';

/** A relationship: who asks, about which child. Their column in the table below is their position here. */
const RELATIONSHIPS = [
  ['involved (own involvement)', 'socialWorker', 'child'],
  ['involved through a team', 'teamMember', 'child'],
  ['not involved', 'uninvolved', 'child'],
  ['emergency access', 'emergencyWorker', 'child'],
  ['manager, not involved', 'manager', 'child'],
  ['sealed, named on it', 'socialWorker', 'sealedChild'],
  ['sealed, not named', 'uninvolved', 'sealedChild'],
  ['sealed, manager not named', 'manager', 'sealedChild'],
  ['other partnership’s practitioner', 'outsider', 'child'],
  ['other partnership’s child', 'socialWorker', 'otherChild'],
  ['analyst', 'analyst', 'child'],
  ['privacy officer', 'privacyOfficer', 'child'],
  ['administrator', 'admin', 'child'],
  ['other partnership’s privacy officer', 'otherPrivacyOfficer', 'child'],
  ['privacy officer, sealed record', 'privacyOfficer', 'sealedChild'],
] as const satisfies readonly (readonly [string, ActorName, PersonName])[];

/**
 * What the app must answer. '—' marks a cell not tried, with the reason next to the table. Columns
 * follow RELATIONSHIPS: inv involved, team through a team, none not involved, emer emergency access,
 * mgr manager, s+nm sealed and named, s-nm sealed and not named, s-mg sealed and a manager not named,
 * o-pr another partnership's practitioner, o-ch another partnership's child, anl analyst, prv privacy
 * officer, adm administrator, o-po another partnership's privacy officer, prv-s privacy officer on
 * the sealed record.
 */
type Expected = 200 | 201 | 303 | 400 | 403 | 404 | 409 | '—';

// prettier-ignore
const PERSON_MATRIX: readonly (readonly [string, ...Expected[]])[] = [
  //                                                         inv  team none emer mgr  s+nm s-nm s-mg o-pr o-ch anl  prv  adm  o-po prv-s
  ['GET /people/:personId',                                  200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['GET /people/:personId/access-log',                       200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 200, 403, 404, 200],
  ['GET /people/:personId/items/new',                        200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['POST /people/:personId/items/new',                       303, 303, 403, 303, 403, 303, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['GET /people/:personId/details',                          200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['POST /people/:personId/details',                         303, 303, 403, 303, 403, 303, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['GET /people/:personId/names/new',                        200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['POST /people/:personId/names/new',                       303, 303, 403, 303, 403, 303, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['GET /people/:personId/involvements/new',                 200, 200, 403, 200, 200, 200, 404, 404, 404, 404, 403, 403, 200, 404, 404],
  ['POST /people/:personId/involvements/new',                303, 303, 403, 400, 303, 303, 404, 404, 404, 404, 403, 403, 303, 404, 404],
  ['GET /people/:personId/involvements/:involvementId/end',  200, 200, 403, 200, 200, 200, 404, 404, 404, 404, 403, 403, 200, 404, 404],
  ['POST /people/:personId/involvements/:involvementId/end', 303, 403, 403, 403, 303, 303, 404, 404, 404, 404, 403, 403, 303, 404, 404],
  ['GET /people/:personId/consents/new',                     200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['POST /people/:personId/consents/new',                    303, 303, 403, 303, 403, 303, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['GET /people/:personId/consents/:consentId/withdraw',     200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['POST /people/:personId/consents/:consentId/withdraw',    303, 303, 403, 303, 403, 303, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['GET /people/:personId/items/:itemId/share',              200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['POST /people/:personId/items/:itemId/share',             303, 303, 403, 303, 403, 303, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['GET /people/:personId/assessments',                      200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['GET /people/:personId/assessments/new',                  200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['POST /people/:personId/assessments/new',                 303, 303, 403, 303, 403, 303, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['GET /people/:personId/plan',                             303, 303, 403, 303, 403, 303, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['GET /people/:personId/signals',                          200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['GET /people/:personId/signals/new',                      200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['POST /people/:personId/signals/new',                     303, 303, 403, 303, 403, 303, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['GET /people/:personId/chronology',                       200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['GET /people/:personId/chronology/print',                 200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['GET /people/:personId/flag',                             200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 404, 404],
  ['GET /people/:personId/services',                         200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['POST /people/:personId/services/suggest',                303, 303, 403, 303, 403, 303, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['POST /people/:personId/services/signposts/:signpostId',  303, 303, 403, 303, 403, 303, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['GET /people/:personId/services/:serviceId/refer',        200, 200, 403, 200, 403, 200, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['POST /people/:personId/services/:serviceId/refer',       303, 303, 403, 303, 403, 303, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['GET /people/:personId/emergency-access',                 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403, 403],
  ['POST /people/:personId/emergency-access',                303, 303, 303, 303, 303, 303, 404, 404, 404, 404, 403, 403, 403, 403, 403],
  ['GET /privacy/people/:personId',                          403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 404, 200],
  ['GET /privacy/people/:personId/seal',                     403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 200, 200],
  ['POST /privacy/people/:personId/seal',                    403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, '—', 403, 404, 303],
];
// The involvement ended is always the social worker's own (a second one, made for the case): a team
// member or someone with emergency access may open the page but not end someone else's involvement.
// Not tried: the privacy officer sealing the world's main child would take it from everyone else's
// cases; sealing a record is tried on the already sealed one (and in the sealing test below).
// The emergency-access form is the way in for someone not involved, so it shows for any id (a form
// with nothing about the child, the same for any id); the request itself is refused for a sealed
// record or another partnership's child.

/** Actor columns for the pages that are not about one child. */
const ACTORS = [
  ['involved practitioner', 'socialWorker'],
  ['practitioner not involved', 'uninvolved'],
  ['manager', 'manager'],
  ['analyst', 'analyst'],
  ['privacy officer', 'privacyOfficer'],
  ['administrator', 'admin'],
  ['other partnership’s practitioner', 'outsider'],
  ['other partnership’s privacy officer', 'otherPrivacyOfficer'],
] as const satisfies readonly (readonly [string, ActorName])[];

// prettier-ignore
const LIST_MATRIX: readonly (readonly [string, ...Expected[]])[] = [
  //                                                             inv  none mgr  anl  prv  adm  o-pr o-po
  ['GET /people',                                                200, 200, 200, 403, 403, 403, 200, 403],
  ['GET /people/mine',                                           200, 200, 200, 403, 403, 403, 200, 403],
  ['GET /analysis/children',                                     403, 403, 200, 200, 200, 403, 403, 200],
  ['GET /audit',                                                 403, 403, 403, 403, 200, 403, 403, 200],
  ['GET /privacy',                                               403, 403, 403, 403, 200, 403, 403, 200],
  ['GET /privacy/people',                                        403, 403, 403, 403, 200, 403, 403, 200],
  ['GET /privacy/emergency-access',                              403, 403, 403, 403, 200, 403, 403, 200],
  ['GET /privacy/emergency-access/:emergencyAccessId',           403, 403, 403, 403, 200, 403, 403, 404],
  ['POST /privacy/emergency-access/:emergencyAccessId',          403, 403, 403, 403, 303, 403, 403, 404],
  ['GET /privacy/agreements',                                    403, 403, 403, 403, 200, 403, 403, 200],
  ['GET /privacy/agreements/new',                                403, 403, 403, 403, 200, 403, 403, 200],
  ['POST /privacy/agreements/new',                               403, 403, 403, 403, 303, 403, 403, 303],
  ['GET /privacy/agreements/:agreementId',                       403, 403, 403, 403, 200, 403, 403, 404],
  ['GET /privacy/agreements/:agreementId/rules/new',             403, 403, 403, 403, 200, 403, 403, 404],
  ['POST /privacy/agreements/:agreementId/rules/new',            403, 403, 403, 403, 303, 403, 403, 404],
  ['GET /privacy/agreements/:agreementId/revoke',                403, 403, 403, 403, 200, 403, 403, 404],
  ['POST /privacy/agreements/:agreementId/revoke',               403, 403, 403, 403, 303, 403, 403, 404],
  ['GET /privacy/withheld-items',                                403, 403, 403, 403, 200, 403, 403, 200],
  ['POST /privacy/withheld-items',                               403, 403, 403, 403, 303, 403, 403, 303],
  ['GET /index/review',                                          403, 403, 403, 403, 403, 200, 403, 403],
  ['GET /index/review/:linkId',                                  403, 403, 403, 403, 403, 200, 403, 403],
  ['POST /index/review/:linkId',                                 403, 403, 403, 403, 403, 303, 403, 403],
  ['GET /index/links/:linkId/unlink',                            403, 403, 403, 403, 403, 200, 403, 403],
  ['POST /index/links/:linkId/unlink',                           403, 403, 403, 403, 403, 303, 403, 403],
  ['GET /index/imports',                                         403, 403, 403, 403, 403, 200, 403, 403],
  ['GET /index/imports/new',                                     403, 403, 403, 403, 403, 200, 403, 403],
  ['POST /index/imports/new',                                    403, 403, 403, 403, 403, '—', 403, 403],
  ['GET /index/imports/:importId',                               403, 403, 403, 403, 403, 200, 403, 403],
];
// The import form takes files (multipart): the administrator's upload is tried in
// people.index.routes.test.ts; here, everyone else is refused before the form is read.

/**
 * Actor columns for the front door. A contact is not "about one child" through the gate: what decides
 * is who made it (its referrer), who may triage, and who holds it. The contacts tried are all made by
 * the teacher; those in triage are held by the holder, a front-door worker, so the other front-door
 * worker and the manager are triage workers who do not hold them. The information request is addressed
 * to the GP's organisation.
 */
const FRONT_DOOR_ACTORS = [
  ['teacher, the contact’s referrer', 'teacher'],
  ['another practitioner', 'uninvolved'],
  ['GP, the request’s agency', 'gp'],
  ['front-door worker, not the holder', 'frontDoorWorker'],
  ['front-door worker holding the contact', 'frontDoorHolder'],
  ['manager, not the holder', 'manager'],
  ['analyst', 'analyst'],
  ['privacy officer', 'privacyOfficer'],
  ['administrator', 'admin'],
  ['other partnership’s practitioner', 'outsider'],
] as const satisfies readonly (readonly [string, ActorName])[];

// prettier-ignore
const FRONT_DOOR_MATRIX: readonly (readonly [string, ...Expected[]])[] = [
  //                                                             ref  prac gp   fd   hold mgr  anl  prv  adm  o-pr
  ['GET /contacts/new',                                          200, 200, 200, 200, 200, 200, 403, 403, 403, 200],
  ['POST /contacts/new',                                         303, 303, 303, 303, 303, 303, 403, 403, 403, 303],
  ['GET /contacts/mine',                                         200, 200, 200, 200, 200, 200, 403, 403, 403, 200],
  ['GET /areas/:slug/report-a-concern',                          200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  ['POST /areas/:slug/report-a-concern',                         303, 303, 303, 303, 303, 303, 303, 303, 303, 303],
  ['GET /areas/:slug/report-a-concern/sent',                     200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  ['GET /areas/:slug/services',                                  200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  ['GET /areas/:slug/services/:serviceId',                       200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
  ['GET /front-door',                                            403, 403, 403, 200, 200, 200, 403, 403, 403, 403],
  ['GET /contacts/:contactId',                                   200, 404, 404, 200, 200, 200, 404, 404, 404, 404],
  ['GET /contacts/number/:number',                               403, 403, 403, 303, 303, 303, 403, 403, 403, 403],
  ['POST /contacts/:contactId/claim',                            403, 403, 403, 303, 303, 303, 403, 403, 403, 403],
  ['POST /contacts/:contactId/release',                          403, 403, 403, 409, 303, 409, 403, 403, 403, 403],
  ['POST /contacts/:contactId/priority',                         403, 403, 403, 409, 303, 409, 403, 403, 403, 403],
  ['POST /contacts/:contactId/notes',                            403, 403, 403, 303, 303, 303, 403, 403, 403, 403],
  ['GET /contacts/:contactId/match',                             403, 403, 403, 200, 200, 200, 403, 403, 403, 403],
  ['POST /contacts/:contactId/match',                            403, 403, 403, 409, 303, 409, 403, 403, 403, 403],
  ['GET /contacts/:contactId/information-requests/new',          403, 403, 403, 200, 200, 200, 403, 403, 403, 403],
  ['POST /contacts/:contactId/information-requests/new',         403, 403, 403, 409, 303, 409, 403, 403, 403, 403],
  ['GET /contacts/:contactId/decision',                          403, 403, 403, 200, 200, 200, 403, 403, 403, 403],
  ['POST /contacts/:contactId/decision',                         403, 403, 403, 409, 303, 409, 403, 403, 403, 403],
  ['GET /contacts/:contactId/approval',                          403, 403, 403, 403, 403, 200, 403, 403, 403, 403],
  ['POST /contacts/:contactId/approval',                         403, 403, 403, 403, 403, 303, 403, 403, 403, 403],
  ['GET /contacts/:contactId/feedback',                          403, 403, 403, 200, 200, 200, 403, 403, 403, 403],
  ['POST /contacts/:contactId/feedback',                         403, 403, 403, 303, 303, 303, 403, 403, 403, 403],
  ['GET /front-door/requests',                                   200, 200, 200, 200, 200, 200, 403, 403, 403, 200],
  ['GET /front-door/requests/:requestId',                        404, 404, 200, 404, 404, 404, 403, 403, 403, 404],
  ['POST /front-door/requests/:requestId',                       404, 404, 303, 404, 404, 404, 403, 403, 403, 404],
  ['GET /enquiries',                                             403, 403, 403, 200, 200, 200, 403, 403, 403, 403],
  ['GET /enquiries/new',                                         403, 403, 403, 200, 200, 200, 403, 403, 403, 403],
  ['POST /enquiries/new',                                        403, 403, 403, 303, 303, 303, 403, 403, 403, 403],
  ['GET /front-door/settings',                                   403, 403, 403, 403, 403, 403, 403, 403, 200, 403],
  ['POST /front-door/settings',                                  403, 403, 403, 403, 403, 403, 403, 403, 303, 403],
  ['GET /front-door/dashboard',                                  403, 403, 403, 403, 403, 200, 200, 403, 200, 403],
  ['GET /front-door/dashboard.csv',                              403, 403, 403, 403, 403, 200, 200, 403, 200, 403],
  ['POST /api/contacts',                                         201, 201, 201, 201, 201, 201, 403, '—', '—', 201],
  ['GET /api/contacts/:contactId',                               200, 404, 404, 200, 200, 200, 403, '—', '—', 404],
];
// Each POST on a contact is tried on a fresh one in the state its action needs: new to claim it, in
// triage (claimed by the holder, with a priority) to release, prioritise, match, ask an agency or
// decide, awaiting approval (decided by the holder) to approve, decided to record feedback. The
// holder-only actions answer 409, not 403, to a triage worker who does not hold the contact: they may
// triage, just not this one now; the conflict writes nothing, and is no refusal of access to audit.
// Each answer to a request is tried on a fresh request; one addressed to another agency is "not
// found", with the refusal audited, as viewing it is. The public page is open to anyone signed in,
// as here, and to anyone not (tried in referrals.routes.test.ts). The JSON API is called as the API
// is, with each account's own bearer token; a call without one (401) is tried in referrals.api.test.ts.
// The privacy officer and the administrator are not tried on it: accounts whose roles need two-factor
// sign-in are never issued a token (access.api-tokens.test.ts).

/**
 * Item by item, what each organisation sees of the child's five items: C content (title and body),
 * E existence only ("<owner> holds ... information"), H nothing at all.
 */
const ITEM_TITLES = [
  'Attendance falling', // Elm Park School, education, standard
  'Missed immunisations', // Riverside Surgery, health, health
  'Sexual health clinic', // Riverside Surgery, health, special category
  'Refuge address', // Northbridge Council, contact details, restricted location
  'Home visit', // Northbridge Council, social care, standard
] as const;
const ITEM_NOTICES = [
  'Elm Park School holds education information',
  'Riverside Surgery holds health information',
  'Riverside Surgery holds health information',
  'Northbridge Council holds contact details information',
  'Northbridge Council holds social care information',
] as const;
type Seen = 'C' | 'E' | 'H';

// prettier-ignore
const ITEM_MATRIX: readonly (readonly [string, ActorName, ...Seen[]])[] = [
  //                                                                attend immun sexual refuge visit
  ['social worker (council, owner of two)',           'socialWorker',    'C', 'C', 'E', 'C', 'C'],
  ['team member (council)',                           'teamMember',      'C', 'C', 'E', 'C', 'C'],
  ['emergency access (council)',                      'emergencyWorker', 'C', 'C', 'E', 'C', 'C'],
  ['teacher (education)',                             'teacher',         'C', 'C', 'E', 'H', 'C'],
  ['GP (health, owner of two)',                       'gp',              'C', 'C', 'C', 'H', 'C'],
  ['housing officer (health content denied)',         'housingOfficer',  'C', 'E', 'E', 'H', 'C'],
  ['charity worker (early help, no consent yet)',     'charityWorker',   'E', 'E', 'E', 'H', 'E'],
];

// --- The app and the world -----------------------------------------------------------------------

let t: TrustApp;
const agents = new Map<ActorName, Agent>();
const tokens = new Map<ActorName, string>();
const ids: Record<ActorName, string> = {} as Record<ActorName, string>;
let people: Record<PersonName, string>;
/** Rows on each child for the routes that name one: an involvement, a consent, an item its council owns. */
let fixtures: Record<PersonName, { involvementId: string; consentId: string; itemId: string }>;
let emergencyAccessId: string;
/** The person index's rows the /index routes name: an import, a proposal to review, a current link. */
let indexFixture: { sourceId: string; importId: string; pendingLinkId: string; currentLinkId: string };
/** The front door's rows the routes name: the teacher's contact in triage, a request to the GP's agency, the area. */
let frontDoorFixture: { contactId: string; requestId: string; slug: string };
/** The front-door worker who holds the contacts in triage. */
let holder: Actor;
/** A directory service taking professional referrals, run by the charity (an agency of the partnership). */
let directoryServiceId: string;
/** Each account's API token, for the JSON API's routes. */
const apiTokens = new Map<ActorName, string>();

const world = () => t.world;

async function insertInvolvement(person: PersonName) {
  const other = person === 'otherChild';
  const row = await t.db
    .insertInto('involvements')
    .values({
      partnershipId: other ? world().otherPartnershipId : world().partnershipId,
      personId: people[person],
      userId: other ? ids.outsider : ids.socialWorker,
      kind: 'other',
      purpose: 'safeguarding',
      reason: 'A second involvement, for the matrix',
      startedAt: new Date('2026-02-01T00:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertConsent(person: PersonName) {
  const row = await t.db
    .insertInto('consents')
    .values({
      partnershipId: person === 'otherChild' ? world().otherPartnershipId : world().partnershipId,
      personId: people[person],
      purpose: 'health_and_care',
      givenBy: 'parental_responsibility',
      givenByName: 'A Parent',
      scope: 'Health visits',
      obtainedHow: 'in_person',
      givenOn: '2026-02-01',
      recordedAt: new Date('2026-02-01T00:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertItem(person: PersonName, title: string) {
  const other = person === 'otherChild';
  const row = await t.db
    .insertInto('recordItems')
    .values({
      partnershipId: other ? world().otherPartnershipId : world().partnershipId,
      personId: people[person],
      owningOrganisationId: other ? world().orgs.elsewhere : world().orgs.council,
      dataType: 'social_care',
      sensitivity: 'standard',
      title,
      body: `${title}: details`,
      occurredOn: '2026-02-01',
      recordedAt: new Date('2026-02-01T00:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A signpost to the directory service for the child, at version 1 (another partnership's child gets an id that is nowhere). */
async function insertSignpost(person: PersonName) {
  if (person === 'otherChild') return randomUUID();
  const row = await t.db
    .insertInto('directorySignposts')
    .values({
      partnershipId: world().partnershipId,
      personId: people[person],
      serviceId: directoryServiceId,
      suggestedBy: world().users.socialWorker.id,
      suggestedAt: new Date('2026-02-01T00:00:00Z'),
      organisationId: world().orgs.council,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertAgreement(partnershipId: string, name: string) {
  // Valid only from 2030, so its rules change nobody's view today.
  const row = await t.db
    .insertInto('sharingAgreements')
    .values({
      partnershipId,
      name,
      purpose: 'education',
      lawfulBasis: 'public_task',
      validFrom: '2030-01-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertSourceRecord(localId: string) {
  const row = await t.db
    .insertInto('sourceRecords')
    .values({
      partnershipId: world().partnershipId,
      sourceId: indexFixture.sourceId,
      importId: indexFixture.importId,
      localId,
      contentSha256: localId,
      received: JSON.stringify({ columns: ['id'], values: [localId] }),
      fields: JSON.stringify({
        givenName: 'Matrix',
        familyName: 'Okafor',
        dateOfBirth: '2016-05-05',
        identifiers: [],
      }),
      receivedAt: new Date('2026-02-01T00:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function insertLink(
  sourceRecordId: string,
  personId: string,
  status: 'auto_linked' | 'pending_review',
) {
  const row = await t.db
    .insertInto('recordLinks')
    .values({ partnershipId: world().partnershipId, sourceRecordId, personId, status, probability: 0.8 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A person of two records (so either can be unlinked): answers the second record's link. */
async function insertLinkedPair() {
  const person = await t.db
    .insertInto('people')
    .values({
      partnershipId: world().partnershipId,
      kind: 'child',
      givenName: 'Matrix',
      familyName: 'Okafor',
      dateOfBirth: '2016-05-05',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const tag = Math.random().toString(36).slice(2);
  await insertLink(await insertSourceRecord(`M-${tag}-1`), person.id, 'auto_linked');
  return insertLink(await insertSourceRecord(`M-${tag}-2`), person.id, 'auto_linked');
}

async function personVersion(person: PersonName) {
  const row = await t.db
    .selectFrom('people')
    .select('version')
    .where('id', '=', people[person])
    .executeTakeFirstOrThrow();
  return String(row.version);
}

async function linkVersion() {
  const row = await t.db
    .selectFrom('recordLinks')
    .select('version')
    .where('id', '=', indexFixture.pendingLinkId)
    .executeTakeFirstOrThrow();
  return String(row.version);
}

/** What every contact in the matrix says: a child the index does not know, with every sector's required answers. */
const CONTACT = {
  child: { givenName: 'Ruby', familyName: 'Contactson', dateOfBirth: '2017-03-03', address: '1 Matrix Road' },
  worries: 'Ruby came to school hungry and said nobody had been home last night',
  familyAware: false,
  consent: 'not_sought',
  consentReason: 'Asking the family could put Ruby at risk',
  urgency: 'standard',
  sectorAnswers: Object.fromEntries(
    Object.values(SECTOR_PROMPTS)
      .flat()
      .map((prompt) => [prompt.key, 'Not known']),
  ),
};

function frontDoorActor(user: AppUser): Actor {
  return {
    userId: user.id,
    partnershipId: user.partnershipId,
    organisationId: user.organisationId,
    roles: ['front_door'],
    displayName: user.email.split('@')[0]!,
  };
}
async function contactVersion(contactId: string) {
  const row = await t.db
    .selectFrom('contacts')
    .select('version')
    .where('id', '=', contactId)
    .executeTakeFirstOrThrow();
  return row.version;
}

/**
 * A contact the teacher made (so the teacher is its referrer), taken through the front door's own
 * service as far as `status`: claimed by the holder and given a priority; then decided by the holder,
 * as a decision that waits for a manager's approval or one that takes effect at once.
 */
async function insertContact(status: ContactStatus) {
  const frontDoor = t.services.frontDoor;
  const teacher = buildCtx(world().users.teacher.actor, { now: t.clock.now() });
  const { id } = await frontDoor.create(teacher, ContactInput.parse({ ...CONTACT, channel: 'email' }));
  if (status !== 'new') {
    const ctx = buildCtx(holder, { now: t.clock.now() });
    await frontDoor.claim(ctx, id, await contactVersion(id));
    await frontDoor.prioritise(ctx, id, await contactVersion(id), 'amber');
    if (status !== 'in_triage')
      await frontDoor.decide(ctx, id, {
        version: await contactVersion(id),
        outcome: status === 'awaiting_approval' ? 'no_further_action' : 'information_and_signposting',
        levelOfNeed: 'universal',
        reason: 'Decided by the authorisation matrix',
      });
  }
  const row = await t.db
    .selectFrom('contacts')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  if (row.status !== status) throw new Error(`The matrix's contact is ${row.status}, not ${status}`);
  return id;
}

/** An open request for information about the teacher's contact, addressed to the GP's organisation. */
async function insertInformationRequest() {
  const row = await t.db
    .insertInto('informationRequests')
    .values({
      partnershipId: world().partnershipId,
      contactId: frontDoorFixture.contactId,
      organisationId: world().orgs.gp,
      question: 'Is Ruby registered with you, and has she been seen?',
      requestedBy: holder.userId,
      requestedAt: t.clock.now(),
      dueAt: new Date(t.clock.now().getTime() + 24 * 3_600_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The version a front-door form sends: of the contact or request in its path, or of the settings. */
async function versionAt(url: string) {
  const contactId = /^\/contacts\/([0-9a-f-]{36})\//.exec(url)?.[1];
  if (contactId) return String(await contactVersion(contactId));
  const requestId = /^\/front-door\/requests\/([0-9a-f-]{36})$/.exec(url)?.[1];
  const row = requestId
    ? await t.db
        .selectFrom('informationRequests')
        .select('version')
        .where('id', '=', requestId)
        .executeTakeFirstOrThrow()
    : await t.db
        .selectFrom('frontDoorSettings')
        .select('version')
        .where('partnershipId', '=', world().partnershipId)
        .executeTakeFirstOrThrow();
  return String(row.version);
}

/** Everything a form could change, in one row: a refusal must leave it exactly as it was. */
async function fingerprint() {
  const { rows } = await sql<Record<string, unknown>>`select
      (select count(*) from record_items) as items,
      (select count(*) from involvements) as involvements,
      (select count(*) from involvements where ended_at is not null) as involvements_ended,
      (select count(*) from consents) as consents,
      (select count(*) from consents where withdrawn_at is not null) as consents_withdrawn,
      (select count(*) from sharing_decisions) as decisions,
      (select count(*) from emergency_accesses) as emergency,
      (select count(*) from emergency_accesses where review_outcome is not null) as emergency_reviewed,
      (select count(*) from sharing_agreements) as agreements,
      (select count(*) from sharing_agreements where revoked_at is not null) as agreements_revoked,
      (select count(*) from sharing_rules) as rules,
      (select count(*) from withheld_item_display) as withheld_display,
      (select string_agg(id::text || coalesce(sealed_reason, ''), ',' order by id) from people) as sealed,
      (select count(*) from sealed_record_users) as sealed_users,
      (select string_agg(status || needs_information::text || version || coalesce(ended_at::text, ''), ',' order by id)
        from record_links) as links,
      (select count(*) from people) as people_count,
      (select sum(version) from people) as people_versions,
      (select count(*) from person_names) as other_names,
      (select count(*) from person_imports) as imports,
      (select count(*) from contacts) as contacts,
      (select sum(version) from contacts) as contact_versions,
      (select count(*) from contact_events) as contact_events,
      (select string_agg(status || version, ',' order by id) from information_requests) as requests,
      (select count(*) from episodes) as episodes,
      (select count(*) from enquiries) as enquiries,
      (select count(*) from assessments) as assessments,
      (select count(*) from signals) as signals,
      (select count(*) from directory_signposts) as signposts,
      (select sum(version) from directory_signposts) as signpost_versions,
      (select count(*) from directory_referrals) as directory_referrals,
      (select string_agg(partnership_id || ':' || version, ',' order by partnership_id)
        from front_door_settings) as front_door_settings`.execute(t.db);
  return JSON.stringify(rows[0]);
}

async function deniedEvents(userId: string) {
  const row = await t.db
    .selectFrom('auditEvents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('actorUserId', '=', userId)
    .where('outcome', '=', 'denied')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const date = (prefix: string, d: string) => {
  const [year, month, day] = d.split('-');
  return { [`${prefix}-day`]: day!, [`${prefix}-month`]: month!, [`${prefix}-year`]: year! };
};

/** The contact form as a person fills it in: a new idempotency key each time, as each page load has. */
const contactForm = () => ({
  idempotencyKey: randomUUID(),
  channel: 'email',
  childGivenName: CONTACT.child.givenName,
  childFamilyName: CONTACT.child.familyName,
  ...date('dob', CONTACT.child.dateOfBirth),
  childAddress: CONTACT.child.address,
  worries: CONTACT.worries,
  familyAware: 'no',
  consent: CONTACT.consent,
  consentReason: CONTACT.consentReason,
  urgency: CONTACT.urgency,
  ...Object.fromEntries(
    Object.entries(CONTACT.sectorAnswers).map(([key, value]) => [`answer-${key}`, value]),
  ),
});

/** The valid form each POST route is sent: a refusal must come from access, never from a mistake in the form. */
async function formFor(
  route: string,
  person: PersonName,
  caseName: string,
  url: string,
): Promise<Record<string, string | string[]>> {
  switch (route) {
    case 'POST /people/:personId/assessments/new':
      return { template: 'early-help-5-9@1' };
    case 'POST /people/:personId/signals/new':
      return {
        category: 'neglect',
        severity: 'low',
        description: `Matrix signal (${caseName})`,
        idempotencyKey: randomUUID(),
        ...date('observed', '2026-03-01'),
      };
    case 'POST /people/:personId/items/new':
      return {
        dataType: 'youth_justice',
        sensitivity: 'standard',
        sharing: 'owner_only',
        title: `Matrix note (${caseName})`,
        body: 'Written by the authorisation matrix',
        ...date('occurred', '2026-03-01'),
      };
    case 'POST /people/:personId/details':
      return {
        dateOfBirthCertainty: 'declared',
        language: `Matrix ${caseName.length}`,
        interpreterNeeded: 'no',
        phone: '',
        email: '',
        version: await personVersion(person),
      };
    case 'POST /people/:personId/names/new':
      return { kind: 'alias', givenName: '', familyName: `Matrix (${caseName})` };
    case 'POST /people/:personId/involvements/new':
      return {
        holder: `user:${ids.socialWorker}`,
        kind: 'other',
        purpose: 'safeguarding',
        reason: 'Added by the authorisation matrix',
      };
    case 'POST /people/:personId/involvements/:involvementId/end':
      return { endReason: 'Ended by the authorisation matrix', version: '1', ...date('ended', '2026-03-02') };
    case 'POST /people/:personId/consents/new':
      return {
        purpose: 'health_and_care',
        givenBy: 'parental_responsibility',
        givenByName: 'A Parent',
        scope: 'Health visits',
        obtainedHow: 'in_person',
        ...date('given', '2026-03-01'),
      };
    case 'POST /people/:personId/consents/:consentId/withdraw':
      return { reason: 'Withdrawn in the authorisation matrix', version: '1' };
    case 'POST /people/:personId/items/:itemId/share':
      return { recipientOrganisationId: world().orgs.housing, decision: 'not_share', reason: 'Not needed' };
    case 'POST /people/:personId/emergency-access':
      return { reason: 'The authorisation matrix: child missing tonight' };
    case 'POST /privacy/people/:personId/seal':
      return { reason: 'Sealed again by the authorisation matrix', namedEmails: '' };
    case 'POST /privacy/emergency-access/:emergencyAccessId':
      return { outcome: 'justified', note: '', version: '1' };
    case 'POST /privacy/agreements/new':
      return {
        name: `Matrix agreement (${caseName})`,
        purpose: 'education',
        lawfulBasis: 'public_task',
        ...date('validFrom', '2030-01-01'),
      };
    case 'POST /privacy/agreements/:agreementId/rules/new':
      return { effect: 'allow', mode: 'content', source: 'any', recipient: 'any', sensitivities: 'standard' };
    case 'POST /privacy/agreements/:agreementId/revoke':
      return { reason: 'Revoked by the authorisation matrix', version: '1' };
    case 'POST /index/review/:linkId':
      return {
        decision: 'more_information',
        note: `Asked by the matrix (${caseName})`,
        version: await linkVersion(),
      };
    case 'POST /index/links/:linkId/unlink':
      return { reason: 'Separated by the authorisation matrix', version: '1' };
    case 'POST /index/imports/new':
      return { source: 'matrix-feed' };
    case 'POST /privacy/withheld-items':
      return {
        standard: 'existence',
        health: 'existence',
        special_category: 'existence',
        restricted_location: 'nothing',
      };
    case 'POST /contacts/new':
    case 'POST /areas/:slug/report-a-concern':
      return contactForm();
    case 'POST /contacts/:contactId/claim':
    case 'POST /contacts/:contactId/release':
      return { version: await versionAt(url) };
    case 'POST /contacts/:contactId/priority':
      return { version: await versionAt(url), priority: 'red' };
    case 'POST /contacts/:contactId/notes':
      return { version: await versionAt(url), note: `Noted by the matrix (${caseName})` };
    case 'POST /contacts/:contactId/match':
      return { version: await versionAt(url), personId: world().strangerChild };
    case 'POST /contacts/:contactId/information-requests/new':
      return {
        version: await versionAt(url),
        organisationId: world().orgs.gp,
        question: 'Is Ruby registered with you?',
      };
    case 'POST /contacts/:contactId/decision':
      return {
        version: await versionAt(url),
        outcome: 'information_and_signposting',
        levelOfNeed: 'universal',
        reason: 'Decided by the authorisation matrix',
      };
    case 'POST /contacts/:contactId/approval':
      return { version: await versionAt(url), approval: 'approve', note: '' };
    case 'POST /contacts/:contactId/feedback':
      return { version: await versionAt(url), told: 'referrer' };
    case 'POST /front-door/requests/:requestId':
      return { version: await versionAt(url), answer: 'Registered with us; seen in January' };
    case 'POST /people/:personId/services/suggest':
      return { serviceId: directoryServiceId, note: `Matrix (${caseName})`, idempotencyKey: randomUUID() };
    case 'POST /people/:personId/services/signposts/:signpostId':
      return { takenUp: 'yes', version: '1' };
    case 'POST /people/:personId/services/:serviceId/refer':
      return { reason: `Matrix referral (${caseName})`, familyConsent: 'yes', idempotencyKey: randomUUID() };
    case 'POST /enquiries/new':
      return { channel: 'phone', caller: 'parent_or_carer', topic: 'parenting', outcome: 'signposted' };
    case 'POST /front-door/settings':
      // The settings as they are, saved again: the decisions the matrix makes need the same approvals.
      return {
        version: await versionAt(url),
        calendar: 'england-and-wales',
        decisionWorkingDays: '1',
        redHours: '4',
        amberHours: '24',
        greenHours: '72',
        approvalOutcomes: ['no_further_action', 'strategy_discussion'],
      };
  }
  throw new Error(`No form for ${route}`);
}

type Case = {
  name: string;
  route: string;
  actor: ActorName;
  person: PersonName;
  expected: Exclude<Expected, '—'>;
};

/** Fills in the path's ids; POSTs that end or withdraw something get a fresh row of their own to try it on. */
async function urlFor(route: string, actor: ActorName, person: PersonName): Promise<string> {
  const post = route.startsWith('POST ');
  const path = route.slice(route.indexOf(' ') + 1);
  const otherPartnership = actor === 'otherPrivacyOfficer';
  const values: Record<string, () => Promise<string> | string> = {
    personId: () => people[person],
    involvementId: () => (post ? insertInvolvement(person) : fixtures[person].involvementId),
    consentId: () => (post ? insertConsent(person) : fixtures[person].consentId),
    itemId: () => fixtures[person].itemId,
    emergencyAccessId: () => emergencyAccessId,
    linkId: () =>
      route.includes('/unlink')
        ? post
          ? insertLinkedPair()
          : indexFixture.currentLinkId
        : indexFixture.pendingLinkId,
    importId: () => indexFixture.importId,
    agreementId: () =>
      post && !otherPartnership
        ? insertAgreement(world().partnershipId, `Matrix throwaway ${Math.random()}`)
        : world().agreements.safeguarding,
    contactId: () =>
      post && !path.startsWith('/api/') ? insertContact(contactStateFor(route)) : frontDoorFixture.contactId,
    requestId: () => (post ? insertInformationRequest() : frontDoorFixture.requestId),
    slug: () => frontDoorFixture.slug,
    number: async () => {
      const contact = await t.db
        .selectFrom('contacts')
        .select('number')
        .where('id', '=', frontDoorFixture.contactId)
        .executeTakeFirstOrThrow();
      return String(contact.number);
    },
    serviceId: () => directoryServiceId,
    signpostId: () => (post ? insertSignpost(person) : randomUUID()),
  };
  let url = path;
  for (const [, param] of path.matchAll(/:([a-zA-Z]+)/g)) {
    const value = values[param!];
    if (!value) throw new Error(`No id for :${param} in ${route}`);
    url = url.replace(`:${param}`, await value());
  }
  if (route === 'GET /people' || route === 'GET /privacy/people') url += '?name=Okafor';
  if (route === 'GET /front-door/dashboard.csv') url += '?table=summary';
  return url;
}

/** The state a contact must be in for the action a POST route takes. */
function contactStateFor(route: string): ContactStatus {
  if (route.endsWith('/claim')) return 'new';
  if (route.endsWith('/approval')) return 'awaiting_approval';
  if (route.endsWith('/feedback')) return 'decided';
  return 'in_triage';
}

/** The page's title and first message, for a failure that says what the app answered. */
function gist(html: string) {
  const text = (re: RegExp) =>
    re
      .exec(html)?.[1]
      ?.replace(/<[^>]+>/g, '')
      .replace(/\s+/g, ' ')
      .trim() ?? '';
  return [text(/<title>([\s\S]*?)<\/title>/), text(/<p class="govuk-body">([\s\S]*?)<\/p>/)].join(' | ');
}

/** The JSON API, called as another system calls it: the account's bearer token, JSON, an idempotency key. */
function callApi(c: Case, url: string) {
  const authorization = `Bearer ${apiTokens.get(c.actor)!}`;
  if (c.route.startsWith('GET ')) return t.app.inject({ method: 'GET', url, headers: { authorization } });
  return t.app.inject({
    method: 'POST',
    url,
    headers: { authorization, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    payload: JSON.stringify(CONTACT),
  });
}

async function run(c: Case) {
  const agent = agents.get(c.actor)!;
  const url = await urlFor(c.route, c.actor, c.person);
  const deniedBefore = await deniedEvents(ids[c.actor]);
  const before = await fingerprint();
  const emergencyBefore = await t.db.selectFrom('emergencyAccesses').select('id').execute();
  const response = url.startsWith('/api/')
    ? await callApi(c, url)
    : c.route.startsWith('GET ')
      ? await agent.get(url)
      : await agent.post(url, {
          _csrf: tokens.get(c.actor)!,
          ...(await formFor(c.route, c.person, c.name, url)),
        });

  expect(response.statusCode, `${c.name}: ${gist(response.body)}`).toBe(c.expected);
  // Every refusal is audited. The one exception: on a privacy page, an id from another partnership
  // (an agreement, a use of emergency access) is simply not found; no child is involved. A contact
  // and a request for information are about a child, so not finding one is audited too.
  const aboutAChild = /:(personId|contactId|requestId)\b/.test(c.route);
  if (c.expected === 403 || (c.expected === 404 && aboutAChild)) {
    expect(await deniedEvents(ids[c.actor]), 'a denied audit event').toBeGreaterThan(deniedBefore);
  }
  if (c.route.startsWith('POST ')) {
    const after = await fingerprint();
    if (c.expected === 303 || c.expected === 201) expect(after, 'the change was written').not.toBe(before);
    else expect(after, 'nothing was written').toBe(before);
  }
  // An emergency access the matrix itself opened is closed again, so it gives nobody access later.
  if (c.route === 'POST /people/:personId/emergency-access' && c.expected === 303)
    await t.db
      .updateTable('emergencyAccesses')
      .set({ startedAt: sql`started_at - interval '2 days'`, expiresAt: sql`started_at - interval '1 day'` })
      .where(
        'id',
        'not in',
        emergencyBefore.map((r) => r.id),
      )
      .execute();
  return response;
}

function personCases(): Case[] {
  return PERSON_MATRIX.flatMap(([route, ...row]) => {
    if (row.length !== RELATIONSHIPS.length) throw new Error(`${route}: one answer per relationship`);
    return RELATIONSHIPS.flatMap(([relationship, actor, person], i) => {
      const expected = row[i]!;
      if (expected === '—') return [];
      return [{ name: `${route} · ${relationship} → ${expected}`, route, actor, person, expected }];
    });
  });
}

function listCases(): Case[] {
  return LIST_MATRIX.flatMap(([route, ...row]) => {
    if (row.length !== ACTORS.length) throw new Error(`${route}: one answer per actor`);
    return ACTORS.flatMap(([label, actor], i) => {
      const expected = row[i]!;
      if (expected === '—') return [];
      return [
        { name: `${route} · ${label} → ${expected}`, route, actor, person: 'child' as const, expected },
      ];
    });
  });
}

function frontDoorCases(): Case[] {
  return FRONT_DOOR_MATRIX.flatMap(([route, ...row]) => {
    if (row.length !== FRONT_DOOR_ACTORS.length) throw new Error(`${route}: one answer per actor`);
    return FRONT_DOOR_ACTORS.flatMap(([label, actor], i) => {
      const expected = row[i]!;
      if (expected === '—') return [];
      return [
        { name: `${route} · ${label} → ${expected}`, route, actor, person: 'child' as const, expected },
      ];
    });
  });
}

beforeAll(async () => {
  t = await createTrustApp();
  const w = t.world;
  people = { child: w.child, sealedChild: w.sealedChild, otherChild: w.otherChild };
  const extra: Partial<Record<ActorName, AppUser>> = {
    emergencyWorker: await t.addUser('emergency.worker@example.org', w.orgs.council, ['practitioner']),
    otherPrivacyOfficer: await t.addUser(
      'privacy.southport@example.org',
      w.orgs.elsewhere,
      ['privacy_officer'],
      w.otherPartnershipId,
    ),
    frontDoorWorker: await t.addUser('front.door@example.org', w.orgs.council, ['front_door']),
    frontDoorHolder: await t.addUser('front.door.holder@example.org', w.orgs.council, ['front_door']),
  };
  holder = frontDoorActor(extra.frontDoorHolder!);
  await seedTestDirectory(t.db, w.partnershipId);
  const referrable = aServiceRecord({ accessRoutes: ['professional_referral'] });
  await saveTestServices(t.db, w.partnershipId, [referrable]);
  await t.db
    .updateTable('directoryOrganizations')
    .set({ agencyOrganisationId: w.orgs.charity })
    .where('id', '=', referrable.organization.id)
    .execute();
  directoryServiceId = referrable.id;
  const emails = new Map<ActorName, string>();
  for (const [name, user] of Object.entries(w.users)) {
    ids[name as ActorName] = user.id;
    emails.set(name as ActorName, user.email);
  }
  for (const [name, user] of Object.entries(extra)) {
    ids[name as ActorName] = user.id;
    emails.set(name as ActorName, user.email);
  }
  for (const [name, email] of emails) {
    const agent = await t.signedIn(email);
    agents.set(name, agent);
    tokens.set(name, await agent.csrfToken('/'));
  }

  fixtures = {
    child: {
      involvementId: w.involvements.socialWorker,
      consentId: await insertConsent('child'),
      itemId: w.items.councilStandard,
    },
    sealedChild: {
      involvementId: w.involvements.sealed,
      consentId: await insertConsent('sealedChild'),
      itemId: await insertItem('sealedChild', 'Adoption plan'),
    },
    otherChild: {
      involvementId: await insertInvolvement('otherChild'),
      consentId: await insertConsent('otherChild'),
      itemId: await insertItem('otherChild', 'Southport note'),
    },
  };

  const source = await t.db
    .insertInto('recordSources')
    .values({
      partnershipId: w.partnershipId,
      code: 'matrix-feed',
      name: 'Matrix feed',
      kind: 'other',
      organisationId: w.orgs.council,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const imported = await t.db
    .insertInto('personImports')
    .values({
      partnershipId: w.partnershipId,
      sourceId: source.id,
      fileName: 'matrix.csv',
      fileSha256: 'x',
      startedAt: new Date('2026-02-01T00:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  indexFixture = { sourceId: source.id, importId: imported.id, pendingLinkId: '', currentLinkId: '' };
  indexFixture.pendingLinkId = await insertLink(
    await insertSourceRecord('M-pending'),
    w.child,
    'pending_review',
  );
  indexFixture.currentLinkId = await insertLinkedPair();

  // Emergency access, granted the way a practitioner asks for it.
  const granted = await agents.get('emergencyWorker')!.post(`/people/${w.child}/emergency-access`, {
    _csrf: tokens.get('emergencyWorker')!,
    reason: 'Police report the child missing tonight',
  });
  expect(granted.statusCode).toBe(303);
  emergencyAccessId = (
    await t.db
      .selectFrom('emergencyAccesses')
      .select('id')
      .where('userId', '=', ids.emergencyWorker)
      .executeTakeFirstOrThrow()
  ).id;

  // The front door: the teacher's contact, held by the holder; a request to the GP's agency about it;
  // an API token for every account that has a column.
  const partnership = await t.db
    .selectFrom('partnerships')
    .select('slug')
    .where('id', '=', w.partnershipId)
    .executeTakeFirstOrThrow();
  frontDoorFixture = { contactId: await insertContact('in_triage'), requestId: '', slug: partnership.slug };
  frontDoorFixture.requestId = await insertInformationRequest();
  for (const [, actor] of FRONT_DOOR_ACTORS) {
    if (actor === 'privacyOfficer' || actor === 'admin') continue;
    const partnershipId = actor === 'outsider' ? w.otherPartnershipId : w.partnershipId;
    const issued = await t.services.apiTokens.issue(buildCtx(buildSystemActor(partnershipId)), ids[actor], {
      name: 'Matrix system',
    });
    apiTokens.set(actor, issued.token);
  }
}, 120_000);

afterAll(() => t?.close());

describe('the matrix covers every route', () => {
  it('has a row for every route about one child, for every list, search, count, audit and privacy page, and for the front door', () => {
    const table = t.app.routeAccessTable().filter((r) => r.method !== 'HEAD');
    const childRoutes = table
      .filter((r) => r.access === 'person' || r.url.includes(':personId'))
      .map((r) => `${r.method} ${r.url}`);
    expect(PERSON_MATRIX.map(([route]) => route).sort()).toEqual(childRoutes.sort());
    const listRoutes = table
      .filter((r) => !r.url.includes(':personId'))
      .filter((r) =>
        /^\/(people|privacy|analysis|audit|index|front-door|contacts|enquiries|api|areas)(\/|$)/.test(r.url),
      )
      .map((r) => `${r.method} ${r.url}`);
    expect([...LIST_MATRIX, ...FRONT_DOOR_MATRIX].map(([route]) => route).sort()).toEqual(listRoutes.sort());
  });
});

describe('pages about one child', () => {
  it.each(personCases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await run(c);
  });
});

describe('pages about one child: the cases the table cannot show', () => {
  it('lets a team member end their team’s own involvement, and audits who did it', async () => {
    const involvementId = (
      await t.db
        .insertInto('involvements')
        .values({
          partnershipId: world().partnershipId,
          personId: world().child,
          teamId: world().team,
          kind: 'other',
          purpose: 'safeguarding',
          reason: 'A second team involvement',
          startedAt: new Date('2026-02-01T00:00:00Z'),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const ended = await agents
      .get('teamMember')!
      .post(`/people/${world().child}/involvements/${involvementId}/end`, {
        _csrf: tokens.get('teamMember')!,
        endReason: 'Case stepped down',
        version: '1',
        ...date('ended', '2026-03-02'),
      });
    expect(ended.statusCode).toBe(303);
    const event = await t.db
      .selectFrom('auditEvents')
      .select(['action', 'outcome', 'actorUserId'])
      .where('subjectId', '=', world().child)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ action: 'involvement.end', outcome: 'success', actorUserId: ids.teamMember });
  });

  it('lets a privacy officer seal a record, after which nobody else can tell it exists', async () => {
    const personId = (
      await t.db
        .insertInto('people')
        .values({
          partnershipId: world().partnershipId,
          kind: 'child',
          givenName: 'Ada',
          familyName: 'Brennan',
          dateOfBirth: '2015-01-09',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await t.db
      .insertInto('involvements')
      .values({
        partnershipId: world().partnershipId,
        personId,
        userId: ids.socialWorker,
        kind: 'allocated_worker',
        purpose: 'safeguarding',
        reason: 'Allocated',
        startedAt: new Date('2026-02-01T00:00:00Z'),
      })
      .execute();
    const socialWorker = agents.get('socialWorker')!;
    expect((await socialWorker.get(`/people/${personId}`)).statusCode).toBe(200);
    const sealed = await agents.get('privacyOfficer')!.post(`/privacy/people/${personId}/seal`, {
      _csrf: tokens.get('privacyOfficer')!,
      reason: 'Placed for adoption',
      namedEmails: world().users.teamMember.email,
    });
    expect(sealed.statusCode).toBe(303);
    expect((await socialWorker.get(`/people/${personId}`)).statusCode).toBe(404);
    expect((await socialWorker.get('/people?name=Brennan')).body).not.toContain('Ada Brennan');
    expect((await agents.get('teamMember')!.get(`/people/${personId}`)).statusCode).toBe(403);
    expect((await agents.get('teamMember')!.get('/people?name=Brennan')).body).toContain('Ada Brennan');
  });
});

describe('lists, searches, counts, the audit trail and the privacy pages', () => {
  it.each(listCases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await run(c);
  });
});

describe('the front door: contacts, the queue, triage, requests to agencies, enquiries, figures, the API', () => {
  it.each(frontDoorCases().map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await run(c);
  });
});

describe('what lists and searches show', () => {
  const names = (html: string) =>
    ['Maya Okafor', 'Sam Okafor', 'Leo Okafor', 'Mia Okafor'].filter((n) => html.includes(n));

  it.each([
    ['socialWorker', ['Maya Okafor', 'Sam Okafor', 'Leo Okafor']],
    ['uninvolved', ['Maya Okafor', 'Leo Okafor']],
    ['manager', ['Maya Okafor', 'Leo Okafor']],
    ['outsider', ['Mia Okafor']],
  ] as const)(
    'a search for "Okafor" by %s finds %j and no sealed record they are not named on',
    async (actor, found) => {
      const page = await agents.get(actor)!.get('/people?name=Okafor');
      expect(page.statusCode).toBe(200);
      expect(names(page.body).sort()).toEqual([...found].sort());
    },
  );

  it.each([
    ['socialWorker', ['Maya Okafor', 'Sam Okafor']],
    ['teamMember', ['Maya Okafor']],
    ['uninvolved', []],
    ['emergencyWorker', []],
    ['outsider', ['Mia Okafor']],
  ] as const)('"my children" for %s lists %j', async (actor, listed) => {
    const page = await agents.get(actor)!.get('/people/mine');
    expect(page.statusCode).toBe(200);
    expect(names(page.body).sort()).toEqual([...listed].sort());
  });

  it('shows the analyst counts and never a name', async () => {
    const page = await agents.get('analyst')!.get('/analysis/children');
    expect(page.statusCode).toBe(200);
    expect(names(page.body)).toEqual([]);
    expect(page.body).not.toContain('Okafor');
  });

  it('finds for the privacy officer the people of their own partnership, to answer a subject access request', async () => {
    const page = await agents.get('privacyOfficer')!.get('/privacy/people?name=Okafor');
    expect(page.statusCode).toBe(200);
    expect(names(page.body)).not.toContain('Mia Okafor');
    expect(names(page.body)).toContain('Maya Okafor');
  });
});

describe('item by item: each organisation sees what the agreements allow', () => {
  const seen = (html: string): Seen[] => {
    const notices = new Map<string, number>();
    for (const notice of new Set(ITEM_NOTICES)) notices.set(notice, html.split(notice).length - 1);
    return ITEM_TITLES.map((title, i) => {
      const hasTitle = html.includes(title);
      const hasBody = html.includes(`${title}: details`);
      expect(hasBody, `${title}: body shown with title`).toBe(hasTitle);
      if (hasTitle) return 'C';
      const notice = ITEM_NOTICES[i]!;
      const left = notices.get(notice)!;
      if (left > 0) {
        notices.set(notice, left - 1);
        return 'E';
      }
      return 'H';
    });
  };
  /** Reads the record as this actor; withheld items are counted from the "holds ... information" notices. */
  const view = async (actor: ActorName) => {
    const page = await agents.get(actor)!.get(`/people/${world().child}`);
    expect(page.statusCode).toBe(200);
    return page.body;
  };
  // The notices of one owner and kind are not told apart, so existence is counted in table order:
  // two withheld GP items show two notices, and a withheld item never shows its title or body.
  const expectSeen = (html: string, expected: readonly Seen[]) => {
    const actual = seen(html);
    const noticeCounts = (ss: readonly Seen[]) =>
      [...new Set(ITEM_NOTICES)].map((n) => ss.filter((s, i) => s === 'E' && ITEM_NOTICES[i] === n).length);
    expect(actual.map((s) => (s === 'C' ? 'C' : '-'))).toEqual(expected.map((s) => (s === 'C' ? 'C' : '-')));
    expect(noticeCounts(actual)).toEqual(noticeCounts(expected));
  };

  it.each(ITEM_MATRIX.map(([label, actor, ...row]) => [label, actor, row] as const))(
    '%s',
    async (_label, actor, expected) => {
      expectSeen(await view(actor), expected);
    },
  );

  it('shares with the charity on consent for early help, and stops the moment consent is withdrawn', async () => {
    const socialWorker = agents.get('socialWorker')!;
    const given = await socialWorker.post(`/people/${world().child}/consents/new`, {
      _csrf: tokens.get('socialWorker')!,
      purpose: 'early_help',
      givenBy: 'parental_responsibility',
      givenByName: 'Grace Okafor',
      scope: 'Early help plan',
      obtainedHow: 'in_person',
      ...date('given', '2026-03-01'),
    });
    expect(given.statusCode).toBe(303);
    // prettier-ignore
    expectSeen(await view('charityWorker'), ['C', 'E', 'E', 'H', 'C']);

    const consent = await t.db
      .selectFrom('consents')
      .select(['id', 'version'])
      .where('personId', '=', world().child)
      .where('purpose', '=', 'early_help')
      .executeTakeFirstOrThrow();
    const withdrawn = await socialWorker.post(`/people/${world().child}/consents/${consent.id}/withdraw`, {
      _csrf: tokens.get('socialWorker')!,
      reason: 'Mother withdrew consent by phone',
      version: String(consent.version),
    });
    expect(withdrawn.statusCode).toBe(303);
    // prettier-ignore
    expectSeen(await view('charityWorker'), ['E', 'E', 'E', 'H', 'E']);
  });

  it('shows an item to another organisation once its owner records a decision to share it', async () => {
    const gp = agents.get('gp')!;
    const shared = await gp.post(`/people/${world().child}/items/${world().items.gpSpecial}/share`, {
      _csrf: tokens.get('gp')!,
      recipientOrganisationId: world().orgs.housing,
      decision: 'share',
      lawfulBasis: 'safeguarding',
      reason: 'Needed to plan the move safely',
    });
    expect(shared.statusCode).toBe(303);
    const housing = await view('housingOfficer');
    // prettier-ignore
    expectSeen(housing, ['C', 'E', 'C', 'H', 'C']);
    expect(housing).toContain('Decision to share');
    // Only to the organisation named in the decision.
    // prettier-ignore
    expectSeen(await view('teacher'), ['C', 'C', 'E', 'H', 'C']);
  });

  it('never lets an organisation that does not own an item decide to share it', async () => {
    const before = await fingerprint();
    const refused = await agents
      .get('housingOfficer')!
      .post(`/people/${world().child}/items/${world().items.gpHealth}/share`, {
        _csrf: tokens.get('housingOfficer')!,
        recipientOrganisationId: world().orgs.housing,
        decision: 'share',
        lawfulBasis: 'safeguarding',
        reason: 'I would like to see it',
      });
    expect(refused.statusCode).toBe(403);
    expect(await fingerprint()).toBe(before);
    const event = await t.db
      .selectFrom('auditEvents')
      .select(['action', 'outcome', 'actorUserId'])
      .orderBy('seq', 'desc')
      .where('actorUserId', '=', ids.housingOfficer)
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ action: 'sharing.decide', outcome: 'denied', actorUserId: ids.housingOfficer });
  });
});
