import type { FastifyInstance } from 'fastify';
import { ROLE_LABELS, type Ctx } from '../common/context.ts';
import { isAllowed } from '../common/permissions.ts';
import type { WebServices } from './app.ts';

type Panel = { title: string; links: { href: string; text: string; hint?: string }[] };

type Reminders = { overdueReviews: number; reviewsDueSoon: number; overdueActions: number };

const counted = (n: number, one: string, many: string) => (n === 0 ? '' : `${n} ${n === 1 ? one : many}`);

/** The reminder beside "Plans you work on": what needs doing soon, or the link's usual hint. */
function planHint(reminders: Reminders | null): string {
  const parts = [
    counted(reminders?.overdueReviews ?? 0, 'review overdue', 'reviews overdue'),
    counted(reminders?.reviewsDueSoon ?? 0, 'review due soon', 'reviews due soon'),
    counted(reminders?.overdueActions ?? 0, 'action of yours overdue', 'actions of yours overdue'),
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'reviews due and overdue actions';
}

type AlertCounts = { mine: number; frontDoor: number | null; escalated: number | null };

/** The hint beside "Alerts": how many wait in each of the person's inboxes. */
function alertHint(counts: AlertCounts): string {
  const parts = [
    counted(counts.escalated ?? 0, 'escalated', 'escalated'),
    counted(counts.mine, 'for you', 'for you'),
    counted(counts.frontDoor ?? 0, 'for the front door', 'for the front door'),
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'none waiting';
}

/** The panels a person's roles earn on the home page; each module adds its work queues here. */
function panelsFor(
  ctx: Ctx,
  reminders: Reminders | null,
  alerts: AlertCounts | null,
  unread: number,
): Panel[] {
  const panels: Panel[] = [];
  if (isAllowed(ctx, 'person.access')) {
    panels.push({
      title: 'Children',
      links: [
        { href: '/people/mine', text: 'Children you are involved with' },
        { href: '/people', text: 'Find a child' },
      ],
    });
  }
  const frontDoor = [
    ...(isAllowed(ctx, 'contacts.triage')
      ? [{ href: '/front-door', text: 'Contacts to triage', hint: 'soonest due first; breaches marked' }]
      : []),
    ...(isAllowed(ctx, 'contacts.create')
      ? [
          { href: '/contacts/new', text: 'Tell the front door about a child' },
          { href: '/contacts/mine', text: 'Contacts you made', hint: 'where each stands' },
        ]
      : []),
    ...(isAllowed(ctx, 'contacts.answer')
      ? [{ href: '/front-door/requests', text: 'Requests for information to your agency' }]
      : []),
    ...(isAllowed(ctx, 'enquiries.record') ? [{ href: '/enquiries', text: 'Enquiries log' }] : []),
  ];
  if (frontDoor.length > 0) panels.push({ title: 'Front door', links: frontDoor });
  const plans = [
    ...(isAllowed(ctx, 'plans.contribute')
      ? [
          { href: '/plans', text: 'Plans you work on', hint: planHint(reminders) },
          { href: '/assessments', text: 'Assessments', hint: 'drafts to finish' },
        ]
      : []),
    ...(isAllowed(ctx, 'plans.allocate')
      ? [
          {
            href: '/plans/allocation',
            text: 'Allocation and reviews',
            hint: 'episodes awaiting a lead professional; overdue reviews',
          },
        ]
      : []),
  ];
  if (plans.length > 0) panels.push({ title: 'Families and plans', links: plans });
  const signals = [
    ...(alerts ? [{ href: '/alerts', text: 'Alerts', hint: alertHint(alerts) }] : []),
    {
      href: '/notifications',
      text: 'Your notifications',
      hint: unread === 0 ? 'none unread' : `${unread} unread`,
    },
    ...(isAllowed(ctx, 'flags.check')
      ? [
          {
            href: '/flags/check',
            text: 'Check a child’s protection flag',
            hint: 'by NHS number, or name and date of birth',
          },
        ]
      : []),
    ...(isAllowed(ctx, 'signals.rules')
      ? [
          { href: '/signals/rules', text: 'Signal rules', hint: 'when signals add up to an alert' },
          {
            href: '/signals/settings',
            text: 'Signal and flag settings',
            hint: 'escalation, attendance, council numbers',
          },
        ]
      : []),
  ];
  panels.push({ title: 'Signals and alerts', links: signals });
  if (isAllowed(ctx, 'contacts.dashboard')) {
    panels.push({
      title: 'Front door figures',
      links: [
        {
          href: '/front-door/dashboard',
          text: 'Contacts, decisions and timeliness',
          hint: 'charts, tables and CSV downloads',
        },
      ],
    });
  }
  const index = [
    ...(isAllowed(ctx, 'index.review')
      ? [
          {
            href: '/index/review',
            text: 'Records to review',
            hint: 'uncertain links between agency records and children',
          },
        ]
      : []),
    ...(isAllowed(ctx, 'index.import') ? [{ href: '/index/imports', text: 'Import agency records' }] : []),
  ];
  if (index.length > 0) panels.push({ title: 'Person index', links: index });
  if (isAllowed(ctx, 'aggregates.view')) {
    panels.push({
      title: 'Figures',
      links: [
        {
          href: '/outcomes',
          text: 'Outcomes',
          hint: 'indicators per locality over the years, and what services did and how well',
        },
        {
          href: '/analysis/children',
          text: 'Children by locality and age',
          hint: 'small numbers suppressed',
        },
      ],
    });
  }
  if (isAllowed(ctx, 'partnership.administer')) {
    panels.push({
      title: 'Administer the partnership',
      links: [
        { href: '/admin/organisations', text: 'Organisations' },
        { href: '/admin/teams', text: 'Teams' },
        { href: '/admin/users', text: 'User accounts', hint: 'and the API tokens other systems use' },
        {
          href: '/outcomes/frameworks',
          text: 'Outcome frameworks',
          hint: 'the partnership’s own, beside the national ones',
        },
        {
          href: '/front-door/settings',
          text: 'Front-door timescales',
          hint: 'calendar, deadlines, approvals',
        },
        { href: '/plans/settings', text: 'Plan review intervals', hint: 'early help and child in need' },
      ],
    });
  }
  if (isAllowed(ctx, 'returns.export')) {
    panels.push({
      title: 'Statutory returns',
      links: [
        {
          href: '/returns/cin-census',
          text: 'Children in need census',
          hint: 'check against the DfE rules and download the XML',
        },
      ],
    });
  }
  if (isAllowed(ctx, 'money.record') || isAllowed(ctx, 'aggregates.view')) {
    panels.push({
      title: 'Money and outcomes',
      links: [
        {
          href: '/outcomes/money',
          text: 'Budgets, spend and the outcome account',
          hint: 'which partner’s money goes to which outcome',
        },
      ],
    });
  }
  if (isAllowed(ctx, 'audit.read')) {
    panels.push({
      title: 'Privacy and data protection',
      links: [
        { href: '/privacy/emergency-access', text: 'Emergency access to review' },
        { href: '/privacy/people', text: 'Subject access requests' },
        { href: '/privacy/agreements', text: 'Sharing agreements' },
        { href: '/audit', text: 'Audit trail', hint: 'who looked at or changed what, and when' },
      ],
    });
  }
  return panels;
}

export function registerHomeRoutes(
  app: FastifyInstance,
  services: Pick<WebServices, 'access' | 'plans' | 'alerts'> &
    Partial<Pick<WebServices, 'directoryEditor'>> &
    Partial<Pick<WebServices, 'directoryReferrals'>>,
) {
  app.get('/', { config: { access: 'signed-in' } }, async (request, reply) => {
    const ctx = request.ctx();
    // A family member's one page is their family's plan.
    if (isAllowed(ctx, 'family.view')) return reply.redirect('/family', 303);
    const profile = await services.access.getProfile(ctx);
    const [reminders, alerts, notifications] = await Promise.all([
      isAllowed(ctx, 'plans.contribute') ? services.plans.reminders(ctx) : null,
      services.alerts.counts(ctx),
      services.alerts.notifications(ctx),
    ]);
    const roleList = (profile.roles as (keyof typeof ROLE_LABELS)[]).map((r) => ROLE_LABELS[r]).join('<br>');
    const panels = panelsFor(ctx, reminders, alerts, notifications.length);
    if (isAllowed(ctx, 'directory.edit') && services.directoryEditor) {
      const due = await services.directoryEditor.dueCount(ctx);
      panels.push({
        title: 'Directory',
        links: [
          {
            href: '/directory/entries',
            text: 'Directory entries',
            hint: due === 0 ? 'none due for review' : `${due} due for review`,
          },
        ],
      });
    }
    // Staff of an agency that runs services in the directory answer the referrals made to them.
    const waiting =
      isAllowed(ctx, 'directory.referrals') && services.directoryReferrals
        ? await services.directoryReferrals.waiting(ctx)
        : null;
    if (waiting !== null)
      panels.push({
        title: 'Referrals to your services',
        links: [
          {
            href: '/directory/referrals',
            text: 'Referrals to your services',
            hint: waiting === 0 ? 'none waiting' : `${waiting} waiting`,
          },
        ],
      });
    return reply.page('home.njk', { profile, roleList, panels });
  });
}
