import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustApp, type TrustApp } from '../../../test/helpers/trust-app.ts';
import type { World } from '../../../test/helpers/trust-world.ts';
import { errorSummary, type Agent } from '../../../test/helpers/web.ts';

/** The assessment pages through the real app, CSRF on, over the trust world (Maya is 9). */
describe('the assessment pages', () => {
  let t: TrustApp;
  let w: World;
  let worker: Agent;
  let teacher: Agent;
  let uninvolved: Agent;
  let assessmentId: string;

  const sectionRow = (sectionId: string) =>
    t.database.db
      .selectFrom('assessmentSections')
      .selectAll()
      .where('assessmentId', '=', assessmentId)
      .where('sectionId', '=', sectionId)
      .executeTakeFirst();
  const contributions = async () =>
    (
      await t.database.db
        .selectFrom('assessmentContributions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('assessmentId', '=', assessmentId)
        .executeTakeFirstOrThrow()
    ).n;

  beforeAll(async () => {
    t = await createTrustApp();
    w = t.world;
    worker = await t.signedIn(w.users.socialWorker.email);
    teacher = await t.signedIn(w.users.teacher.email);
    uninvolved = await t.signedIn(w.users.uninvolved.email);
  }, 120_000);
  afterAll(() => t.close());

  it('lists the child’s assessments with a button to start one, suggesting the version for the age', async () => {
    const list = await worker.get(`/people/${w.child}/assessments`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Start an assessment');
    const form = await worker.get(`/people/${w.child}/assessments/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toMatch(/value="early-help-5-9@1" checked/);
    expect(form.body).toContain('Suggested: it fits');
  });

  it('asks which assessment when none is chosen, and starts the one chosen', async () => {
    const url = `/people/${w.child}/assessments/new`;
    const none = await worker.post(url, { template: '' });
    expect(none.statusCode).toBe(400);
    expect(errorSummary(none.body)).toEqual(['#template Choose which assessment to start']);
    const unknown = await worker.post(url, { template: 'early-help-5-9@9' });
    expect(unknown.statusCode).toBe(400);
    expect(errorSummary(unknown.body)[0]).toMatch(/^#template There is no assessment template/);
    const started = await worker.post(url, { template: 'early-help-5-9@1' });
    expect(started.statusCode).toBe(303);
    assessmentId = String(started.headers.location).split('/').pop()!;
    const overview = await worker.get(`/assessments/${assessmentId}`);
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('Early help assessment: 5 to 9 years');
    expect(overview.body).toContain('What the family can draw on');
    expect(overview.body).toContain('Not started');
  });

  it('renders every section of every shipped template', async () => {
    const templates = t.services.assessments.templates.latest();
    for (const template of templates) {
      const made = await t.services.assessments.start(w.users.socialWorker.ctx(), {
        personId: w.child,
        templateId: template.id,
        templateVersion: template.version,
      });
      for (const section of template.sections) {
        const page = await worker.get(`/assessments/${made.id}/sections/${section.id}`);
        expect(page.statusCode, `${template.id} ${section.id}`).toBe(200);
        expect(page.body).toContain(`<h1 class="govuk-heading-l">${section.title}</h1>`);
      }
    }
  }, 60_000);

  it('shows each mistake on its field with the error summary, keeps the input, and writes nothing', async () => {
    const url = `/assessments/${assessmentId}/sections/family-environment`;
    const page = await worker.post(url, {
      version: '0',
      'family-history': 'Parents separated last year',
      housing: 'castle',
      household_rows: '4',
      household_0_name: 'Ada',
      household_0_born_day: '31',
      household_0_born_month: '2',
      household_0_born_year: '2019',
      household_1_relationship: 'Brother',
    });
    expect(page.statusCode).toBe(400);
    expect(errorSummary(page.body)).toEqual([
      '#household_0_born Who lives in the home, row 1: date of birth must be a real date',
      '#household_1_name Who lives in the home, row 2: enter name',
      '#housing Housing: choose one of the options given',
    ]);
    expect(page.body).toContain('Parents separated last year');
    expect(page.body).toContain('id="household_0_born"');
    expect(await sectionRow('family-environment')).toBeUndefined();

    const scale = await worker.post(`/assessments/${assessmentId}/sections/parenting-capacity`, {
      version: '0',
      overall: '9',
    });
    expect(scale.statusCode).toBe(400);
    expect(errorSummary(scale.body)).toEqual([
      '#overall Overall, how well are the child’s needs being met by their parents or carers?: choose a number from 1 to 5',
    ]);
  });

  it('saves a section with repeating rows and dates, and shows it again with a blank row to add more', async () => {
    const url = `/assessments/${assessmentId}/sections/family-environment`;
    const saved = await worker.post(url, {
      version: '0',
      'family-history': 'Parents separated last year',
      housing: 'at-risk',
      'adult-issues': ['mental-health', 'none'],
      household_rows: '4',
      household_0_name: 'Ada',
      household_0_born_day: '9',
      household_0_born_month: '1',
      household_0_born_year: '2015',
      household_2_name: 'Maya',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/assessments/${assessmentId}`);
    expect((await sectionRow('family-environment'))?.answers).toEqual({
      'family-history': 'Parents separated last year',
      housing: 'at-risk',
      'adult-issues': ['none', 'mental-health'],
      household: [{ name: 'Ada', born: '2015-01-09' }, { name: 'Maya' }],
    });
    const again = await worker.get(url);
    expect(again.body).toContain('name="household_rows" value="6"');
    expect(again.body).toMatch(/name="household_0_born_day"[^>]*value="9"/);
    expect(again.body).toContain('name="household_5_name"');
  });

  it('shows a save that lost a race with 409: what is saved now, and the person’s own answers kept', async () => {
    const url = `/assessments/${assessmentId}/sections/analysis`;
    expect((await teacher.post(url, { version: '0', strengths: 'Good at reading' }, url)).statusCode).toBe(
      303,
    );
    const before = await contributions();
    const lost = await worker.post(url, { version: '0', strengths: 'Loves football' });
    expect(lost.statusCode).toBe(409);
    expect(errorSummary(lost.body)[0]).toMatch(/^#form teacher \(Elm Park School\) saved this section/);
    expect(lost.body).toContain('What is saved now');
    expect(lost.body).toContain('Good at reading');
    expect(lost.body).toContain('Loves football');
    expect(lost.body).toContain('name="version" value="1"');
    expect(await contributions()).toBe(before);
  });

  it('refuses a section to a practitioner from a sector it does not take, and shows it to them read-only', async () => {
    const url = `/assessments/${assessmentId}/sections/health`;
    const page = await teacher.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Only practitioners from health or social care can fill in this section');
    expect(page.body).not.toContain('Save this section');
    const refused = await teacher.post(
      url,
      { version: '0', 'registered-gp': 'yes' },
      `/assessments/${assessmentId}`,
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Only practitioners from health or social care can fill in “Health”');
  });

  it('keeps the pages from those not involved and answers 404 for what does not exist', async () => {
    expect((await uninvolved.get(`/assessments/${assessmentId}`)).statusCode).toBe(403);
    expect((await uninvolved.get(`/people/${w.child}/assessments`)).statusCode).toBe(403);
    expect((await worker.get('/assessments/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await worker.get(`/assessments/${assessmentId}/sections/nope`)).statusCode).toBe(404);
    expect((await worker.get(`/assessments/${assessmentId}/sections/Not_A_Section`)).statusCode).toBe(404);
    expect((await worker.get('/assessments/not-a-uuid')).statusCode).toBe(404);
  });

  it('shows the history, the family’s summary with its print styles, and the drafts to resume', async () => {
    const history = await worker.get(`/assessments/${assessmentId}/history`);
    expect(history.statusCode).toBe(200);
    expect(history.body).toContain('Elm Park School');
    expect(history.body).toContain('changed Strengths');
    const summary = await worker.get(`/assessments/${assessmentId}/summary`);
    expect(summary.statusCode).toBe(200);
    expect(summary.body).toContain('@media print');
    expect(summary.body).toContain('This is a draft');
    const nonce = /<style nonce="([^"]+)">/.exec(summary.body)?.[1];
    expect(nonce).toBeTruthy();
    expect(String(summary.headers['content-security-policy'])).toContain(`'nonce-${nonce}'`);
    const mine = await teacher.get('/assessments');
    expect(mine.statusCode).toBe(200);
    expect(mine.body).toContain(`/assessments/${assessmentId}`);
  });

  it('lists each section still to do when finishing too soon, and writes nothing', async () => {
    const url = `/assessments/${assessmentId}/finish`;
    const page = await worker.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Still to do');
    const version = String(
      (
        await t.database.db
          .selectFrom('assessments')
          .select('version')
          .where('id', '=', assessmentId)
          .executeTakeFirstOrThrow()
      ).version,
    );
    const empty = await worker.post(url, { version });
    expect(empty.statusCode).toBe(400);
    expect(errorSummary(empty.body)).toEqual([
      '#outcome Choose the outcome of the assessment',
      '#outcomeReason Say why you chose this outcome',
      '#familySummary Write a summary of the assessment for the family, in plain words',
    ]);
    const tooSoon = await worker.post(url, {
      version,
      outcome: 'no_further_action',
      outcomeReason: 'No needs',
      familySummary: 'All is well',
    });
    expect(tooSoon.statusCode).toBe(400);
    const summary = errorSummary(tooSoon.body);
    expect(summary[0]).toBe('#section-health Health: answer the required questions (not started)');
    expect(summary).toContain(
      '#section-childs-words The child’s own words: record the child’s own words, or say why they could not be recorded',
    );
    expect(tooSoon.body).toContain('All is well');
    const row = await t.database.db
      .selectFrom('assessments')
      .select('status')
      .where('id', '=', assessmentId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('draft');
  });

  it('finishes with a referral onward from the page; the assessment is then read-only and the summary says what next', async () => {
    const fill = async (
      user: keyof World['users'],
      sectionId: string,
      answers: Record<string, unknown>,
      reason?: string,
    ) =>
      t.services.assessments.saveSection(w.users[user].ctx(), assessmentId, sectionId, {
        version: (await sectionRow(sectionId))?.version ?? 0,
        answers,
        notRecordedReason: reason,
      });
    await fill('gp', 'health', { 'registered-gp': 'yes', immunisations: 'yes', 'health-needs': 'None' });
    await fill('teacher', 'education', { school: 'Elm Park School', attendance: '95-plus' });
    await fill('socialWorker', 'friendships', { friendships: 'Many', feelings: 'Mostly happy' });
    await fill('socialWorker', 'parenting-capacity', { 'basic-care': 'Good', safety: 'Good', overall: 4 });
    await fill(
      'socialWorker',
      'family-resources',
      Object.fromEntries(
        [
          'money-housing',
          'health',
          'network',
          'skills',
          'trust',
          'shared-resources',
          'reciprocity',
          'engagement',
        ].map((k) => [k, 4]),
      ),
    );
    await fill('socialWorker', 'childs-words', { words: '“I like my school.”' });
    await fill('socialWorker', 'parents-views', {}, 'Dad did not want to take part');
    await fill('socialWorker', 'analysis', {
      strengths: 'Good at reading',
      worries: 'Dad’s drinking at weekends',
      'level-of-need': 'complex',
      needs: 'A plan with the family',
    });
    const url = `/assessments/${assessmentId}/finish`;
    const { version } = await t.database.db
      .selectFrom('assessments')
      .select('version')
      .where('id', '=', assessmentId)
      .executeTakeFirstOrThrow();
    const noConsentReason = await worker.post(url, {
      version: String(version),
      outcome: 'referral_onward',
      outcomeReason: 'Needs several agencies',
      familySummary: 'Maya is a happy girl who loves school.',
      urgency: 'standard',
      familyAware: 'yes',
      consent: 'not_sought',
    });
    expect(noConsentReason.statusCode).toBe(400);
    expect(errorSummary(noConsentReason.body)).toEqual([
      '#consentReason Say why the family has not been asked (for example, asking would put the child at risk)',
    ]);
    const finished = await worker.post(url, {
      version: String(version),
      outcome: 'referral_onward',
      outcomeReason: 'Needs several agencies',
      familySummary: 'Maya is a happy girl who loves school.',
      urgency: 'standard',
      familyAware: 'yes',
      consent: 'given',
    });
    expect(finished.statusCode).toBe(303);
    const row = await t.database.db
      .selectFrom('assessments')
      .selectAll()
      .where('id', '=', assessmentId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'finished', outcome: 'referral_onward' });
    const overview = await worker.get(`/assessments/${assessmentId}`);
    expect(overview.body).toContain('Assessment finished, and the referral sent to the front door');
    expect(overview.body).toContain(`/contacts/${row.onwardContactId}`);
    const section = await worker.get(`/assessments/${assessmentId}/sections/analysis`);
    expect(section.body).toContain('This assessment is finished');
    expect(section.body).not.toContain('Save this section');
    const edit = await worker.post(
      `/assessments/${assessmentId}/sections/analysis`,
      { version: '1', strengths: 'More' },
      `/assessments/${assessmentId}`,
    );
    expect(edit.statusCode).toBe(409);
    const summary = await worker.get(`/assessments/${assessmentId}/summary`);
    expect(summary.body).toContain('Maya is a happy girl who loves school.');
    expect(summary.body).toContain('“I like my school.”');
    expect(summary.body).toContain('We could not write this down: Dad did not want to take part');
    expect(summary.body).toContain('We have asked children’s services for more help for your family');
  });
});
