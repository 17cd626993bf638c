import { randomUUID } from 'node:crypto';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../../common/context.ts';
import { NotFoundError, ValidationError } from '../../common/errors.ts';
import { registerFormPage } from '../../web/form-route.ts';
import { sendCsv, tableRows } from '../../web/csv.ts';
import { formErrors, parseWith } from '../../web/forms.ts';
import { SECTOR_LABELS } from '../access/index.ts';
import { MONEY_FIGURES, type MoneyFigureName, type MoneyService } from './outcomes.money.ts';
import {
  BUDGET_KIND_HINTS,
  BUDGET_KIND_LABELS,
  BUDGET_KINDS,
  BudgetForm,
  CONTRIBUTION_PREFIX,
  FiguresQuery,
  formatPence,
  PARTNER_SECTORS,
  PartnerForm,
  poundsText,
  SPEND_CSV_COLUMNS,
  SpendForm,
  UploadForm,
  yearLabel,
} from './outcomes.money.schemas.ts';

const VIEWS = 'outcomes/views/money';
const BASE = '/outcomes/money';
/** The largest spend file the upload takes. */
const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

const FIGURE_TITLES: Record<MoneyFigureName, string> = {
  'spend-by-service': 'Spend by service',
  'spend-by-outcome': 'Spend by outcome',
  'cost-per-child': 'Cost per child served',
  'outcome-account': 'Outcome account',
};

const sectorItems = PARTNER_SECTORS.map((value) => ({ value, text: SECTOR_LABELS[value] }));
const kindItems = BUDGET_KINDS.map((value) => ({
  value,
  text: BUDGET_KIND_LABELS[value],
  hint: BUDGET_KIND_HINTS[value],
}));

/** Financial years a form offers: from five years back to two ahead of the latest known. */
function yearChoices(now: Date, known: readonly number[]) {
  const current = now.getUTCMonth() < 3 ? now.getUTCFullYear() - 1 : now.getUTCFullYear();
  const years = new Set<number>(known);
  for (let y = current - 5; y <= current + 2; y++) years.add(y);
  return [...years].sort((a, b) => b - a).map((y) => ({ value: String(y), text: yearLabel(y) }));
}

function yearAsked(query: unknown): number | undefined | 'bad' {
  const parsed = FiguresQuery.safeParse(query ?? {});
  return parsed.success ? parsed.data.year : 'bad';
}

type Upload = { name: string; data: Buffer };
function uploaded(value: unknown): Upload | null {
  const file = value as Upload | undefined;
  return file?.data instanceof Buffer && file.data.length > 0 ? file : null;
}

/** Money for outcome accounting: the administrator's records and the figures pages. */
export function registerMoneyRoutes(app: FastifyInstance, services: { money: MoneyService }) {
  const money = services.money;

  app.get(BASE, { config: { access: 'signed-in' } }, async (request, reply) => {
    const { canRecord, canView } = await money.entry(request.ctx());
    return reply.page(`${VIEWS}/index.njk`, {
      canRecord,
      canView,
      figures: MONEY_FIGURES.map((f) => ({ href: `${BASE}/${f}`, text: FIGURE_TITLES[f] })),
    });
  });

  // --- Funding partners --------------------------------------------------------------------------

  app.get(`${BASE}/partners`, { config: { access: 'money.record' } }, async (request, reply) =>
    reply.page(`${VIEWS}/partners.njk`, {
      partners: (await money.listPartners(request.ctx())).map((p) => ({
        ...p,
        sectorLabel: SECTOR_LABELS[p.sector],
      })),
    }),
  );

  registerFormPage(app, {
    url: `${BASE}/partners/new`,
    access: 'money.record',
    view: `${VIEWS}/partner-form.njk`,
    schema: PartnerForm,
    load: async () => ({ sectorItems, values: { submissionId: randomUUID() } }),
    submit: async (ctx, data) => {
      const { repeated } = await money.createPartner(ctx, data);
      return {
        redirect: `${BASE}/partners`,
        flash: repeated ? 'Funding partner already added' : `Funding partner ${data.name} added`,
      };
    },
  });

  registerFormPage(app, {
    url: `${BASE}/partners/:partnerId/edit`,
    access: 'money.record',
    view: `${VIEWS}/partner-form.njk`,
    schema: PartnerForm,
    load: async (ctx, { partnerId }) => {
      const partner = await money.getPartner(ctx, partnerId!);
      return { sectorItems, editing: true, values: { ...partner, active: partner.active ? 'yes' : '' } };
    },
    submit: async (ctx, data, { partnerId }) => {
      await money.updatePartner(ctx, partnerId!, data);
      return { redirect: `${BASE}/partners`, flash: `Funding partner ${data.name} saved` };
    },
  });

  // --- Budgets -----------------------------------------------------------------------------------

  app.get(`${BASE}/budgets`, { config: { access: 'money.record' } }, async (request, reply) => {
    const year = yearAsked(request.query);
    const { budgets, years } = await money.listBudgets(request.ctx(), year === 'bad' ? undefined : year);
    return reply.page(`${VIEWS}/budgets.njk`, {
      year: year === 'bad' ? undefined : year,
      yearItems: years.map((y) => ({ value: String(y), text: yearLabel(y), selected: y === year })),
      budgets: budgets.map((b) => ({
        ...b,
        yearText: yearLabel(b.financialYear),
        kindText: BUDGET_KIND_LABELS[b.kind],
        total: formatPence(b.totalPence),
        spent: formatPence(b.spentPence),
        contributionText: b.contributions.map((c) => `${c.partnerName}: ${formatPence(c.pence)}`),
      })),
    });
  });

  const budgetForm = async (ctx: Ctx) => {
    const partners = await money.listPartners(ctx);
    // Only the years with budgets are wanted here: year -1 has no budgets.
    const { years } = await money.listBudgets(ctx, -1);
    return {
      kindItems,
      partners: partners.map((p) => ({
        id: p.id,
        name: p.name,
        active: p.active,
        field: `${CONTRIBUTION_PREFIX}${p.id}`,
      })),
      yearItems: yearChoices(ctx.now, years),
    };
  };

  registerFormPage(app, {
    url: `${BASE}/budgets/new`,
    access: 'money.record',
    view: `${VIEWS}/budget-form.njk`,
    schema: BudgetForm,
    load: async (ctx) => ({ ...(await budgetForm(ctx)), values: { submissionId: randomUUID() } }),
    submit: async (ctx, data) => {
      const { repeated } = await money.createBudget(ctx, data);
      return {
        redirect: `${BASE}/budgets?year=${data.financialYear}`,
        flash: repeated ? 'Budget already added' : `Budget ${data.name} added`,
      };
    },
  });

  registerFormPage(app, {
    url: `${BASE}/budgets/:budgetId/edit`,
    access: 'money.record',
    view: `${VIEWS}/budget-form.njk`,
    schema: BudgetForm,
    load: async (ctx, { budgetId }) => {
      const budget = await money.getBudget(ctx, budgetId!);
      const values: Record<string, unknown> = {
        name: budget.name,
        financialYear: String(budget.financialYear),
        kind: budget.kind,
        description: budget.description,
        version: budget.version,
      };
      for (const c of budget.contributions)
        values[`${CONTRIBUTION_PREFIX}${c.partnerId}`] = poundsText(c.pence);
      return { ...(await budgetForm(ctx)), editing: true, values };
    },
    submit: async (ctx, data, { budgetId }) => {
      await money.updateBudget(ctx, budgetId!, data);
      return { redirect: `${BASE}/budgets?year=${data.financialYear}`, flash: `Budget ${data.name} saved` };
    },
  });

  // --- Spend -------------------------------------------------------------------------------------

  app.get(`${BASE}/spend`, { config: { access: 'money.record' } }, async (request, reply) => {
    const year = yearAsked(request.query);
    const spend = await money.listSpend(request.ctx(), year === 'bad' ? undefined : year);
    return reply.page(`${VIEWS}/spend.njk`, {
      ...spend,
      yearText: yearLabel(spend.year),
      total: formatPence(spend.totalPence),
      yearItems: spend.years.map((y) => ({
        value: String(y),
        text: yearLabel(y),
        selected: y === spend.year,
      })),
      lines: spend.lines.map((l) => ({
        ...l,
        amount: formatPence(l.pence),
        quarterText: l.quarter ? `Q${l.quarter}` : 'Whole year',
      })),
    });
  });

  /** `keep`: the outcomes of the line being changed, offered even if retired since. */
  const spendForm = async (ctx: Ctx, keep: string[] = []) => {
    const { budgets, services, outcomes } = await money.spendChoices(ctx, keep);
    const partners = await money.listPartners(ctx);
    return {
      budgetItems: budgets.map((b) => ({
        value: b.id,
        text: `${b.name} (${yearLabel(b.financialYear)}, ${BUDGET_KIND_LABELS[b.kind].toLowerCase()})`,
      })),
      partnerItems: partners.map((p) => ({ value: p.id, text: p.name })),
      serviceItems: services.map((s) => ({
        value: s.id,
        text: s.status === 'active' ? s.name : `${s.name} (${s.status})`,
      })),
      outcomeGroups: outcomes,
    };
  };

  registerFormPage(app, {
    url: `${BASE}/spend/new`,
    access: 'money.record',
    view: `${VIEWS}/spend-form.njk`,
    schema: SpendForm,
    load: async (ctx) => ({ ...(await spendForm(ctx)), values: { submissionId: randomUUID() } }),
    submit: async (ctx, data) => {
      const { id, repeated } = await money.createSpend(ctx, data);
      const line = await money.getSpend(ctx, id);
      return {
        redirect: `${BASE}/spend?year=${line.financialYear}`,
        flash: repeated ? 'Spend line already added' : `Spend of ${formatPence(data.amount)} added`,
      };
    },
  });

  registerFormPage(app, {
    url: `${BASE}/spend/:spendId/edit`,
    access: 'money.record',
    view: `${VIEWS}/spend-form.njk`,
    schema: SpendForm,
    load: async (ctx, { spendId }) => {
      const line = await money.getSpend(ctx, spendId!);
      const outcomes = line.outcomes.map((o) => `${o.framework}:${o.code}`);
      return {
        ...(await spendForm(ctx, outcomes)),
        editing: true,
        values: {
          budgetId: line.budgetId,
          partnerId: line.partnerId ?? '',
          serviceId: line.serviceId,
          quarter: line.quarter ? String(line.quarter) : '',
          amount: poundsText(line.pence),
          outcomes,
          description: line.description,
          version: line.version,
        },
      };
    },
    submit: async (ctx, data, { spendId }) => {
      await money.updateSpend(ctx, spendId!, data);
      const line = await money.getSpend(ctx, spendId!);
      return { redirect: `${BASE}/spend?year=${line.financialYear}`, flash: 'Spend line saved' };
    },
  });

  // The upload takes multipart form data; only this scope parses it.
  void app.register(async (scope) => {
    await scope.register(fastifyMultipart, {
      attachFieldsToBody: 'keyValues',
      onFile: async (part) => {
        part.value = { name: part.filename, data: await part.toBuffer() } satisfies Upload;
      },
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 3 },
    });
    const view = `${VIEWS}/upload.njk`;
    // The outcome codes a file may use: the national ones and the partnership's own.
    const form = async (ctx: Ctx) => ({
      columns: SPEND_CSV_COLUMNS,
      outcomeGroups: await money.spendOutcomes(ctx),
    });

    scope.get(`${BASE}/spend/upload`, { config: { access: 'money.record' } }, async (request, reply) => {
      return reply.page(view, { ...(await form(request.ctx())), values: { submissionId: randomUUID() } });
    });

    scope.post(`${BASE}/spend/upload`, { config: { access: 'money.record' } }, async (request, reply) => {
      const ctx = request.ctx();
      const body = (request.body ?? {}) as Record<string, unknown>;
      const again = async (problems: string[], field = 'file') =>
        reply.page(
          view,
          {
            ...(await form(ctx)),
            values: {
              submissionId: typeof body.submissionId === 'string' ? body.submissionId : randomUUID(),
            },
            errors: {
              summary: problems.map((text) => ({ text, href: `#${field}` })),
              fields: {
                [field]: {
                  text:
                    problems.length > 1
                      ? `The file has ${problems.length} problems, listed above: nothing was saved`
                      : (problems[0] ?? ''),
                },
              },
            },
          },
          400,
        );
      const parsed = parseWith(UploadForm, { submissionId: body.submissionId });
      if (!parsed.ok)
        return again(
          parsed.errors.map((e) => e.message),
          'form',
        );
      const file = uploaded(body.file);
      if (!file) return again(['Choose the CSV file of spend lines to upload']);
      try {
        const result = await money.uploadSpend(
          ctx,
          { name: file.name, content: file.data.toString('utf8') },
          parsed.data.submissionId,
        );
        return reply
          .flash(
            result.repeated
              ? 'That file was already uploaded'
              : `${result.rows} spend lines uploaded from ${file.name}`,
          )
          .redirect(`${BASE}/spend`, 303);
      } catch (error) {
        if (error instanceof ValidationError) return again(error.fields.map((f) => f.message));
        throw error;
      }
    });
  });

  // --- Figures -----------------------------------------------------------------------------------

  for (const figure of MONEY_FIGURES) {
    const view = `${VIEWS}/figures.njk`;
    app.get(`${BASE}/${figure}`, { config: { access: 'aggregates.view' } }, async (request, reply) => {
      const ctx = request.ctx();
      const year = yearAsked(request.query);
      const common = {
        figure,
        title: FIGURE_TITLES[figure],
        nav: MONEY_FIGURES.map((f) => ({
          href: `${BASE}/${f}`,
          text: FIGURE_TITLES[f],
          current: f === figure,
        })),
      };
      if (year === 'bad') {
        const figures = await money.figures(ctx, figure, undefined);
        return reply.page(
          view,
          {
            ...common,
            figures,
            yearItems: figures.choices.map((y) => ({ value: String(y), text: yearLabel(y) })),
            errors: formErrors([{ field: 'year', message: 'Choose a financial year from the list' }]),
          },
          400,
        );
      }
      const figures = await money.figures(ctx, figure, year);
      return reply.page(view, {
        ...common,
        figures,
        yearText: yearLabel(figures.year),
        firstYearText: yearLabel(figures.years[0]!),
        previousYearText: yearLabel(figures.year - 1),
        yearItems: figures.choices.map((y) => ({
          value: String(y),
          text: yearLabel(y),
          selected: y === figures.year,
        })),
        csv: `${BASE}/${figure}.csv?year=${figures.year}`,
      });
    });

    app.get(`${BASE}/${figure}.csv`, { config: { access: 'aggregates.view' } }, async (request, reply) => {
      const year = yearAsked(request.query);
      if (year === 'bad') throw new NotFoundError('That financial year');
      const figures = await money.figures(request.ctx(), figure, year, { download: true });
      return sendCsv(reply, `money-${figure}-${yearLabel(figures.year)}.csv`, tableRows(figures.tables.main));
    });
  }
}
