import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Ctx } from '../common/context.ts';
import { ConflictError } from '../common/errors.ts';
import { registerFormPage, savedChanges } from './form-route.ts';
import { createViews } from './views.ts';

describe('savedChanges: what someone else saved that differs from what this person sent', () => {
  it('lists each differing field with its label, spelling out the names of fields without one', () => {
    const saved = { version: 3, title: 'Calm mornings', ownerFamilyMember: 'Dad', note: 'same' };
    const sent = { version: '2', title: 'Quiet mornings', ownerFamilyMember: 'Mum', note: 'same' };
    expect(savedChanges(saved, sent, { title: 'The goal' })).toEqual([
      { field: 'title', label: 'The goal', saved: 'Calm mornings', yours: 'Quiet mornings' },
      { field: 'ownerFamilyMember', label: 'Owner family member', saved: 'Dad', yours: 'Mum' },
    ]);
  });

  it('reads date boxes as one date, whatever zeros were typed, and as typed when not a date', () => {
    const saved = { 'dueOn-day': '20', 'dueOn-month': '3', 'dueOn-year': '2026' };
    expect(savedChanges(saved, { 'dueOn-day': '20', 'dueOn-month': '03', 'dueOn-year': '2026' })).toEqual([]);
    expect(
      savedChanges(
        saved,
        { 'dueOn-day': '27', 'dueOn-month': '3', 'dueOn-year': '2026' },
        { dueOn: 'Due by' },
      ),
    ).toEqual([{ field: 'dueOn', label: 'Due by', saved: '20 March 2026', yours: '27 March 2026' }]);
    expect(savedChanges(saved, { 'dueOn-day': '31', 'dueOn-month': '2', 'dueOn-year': '' })).toEqual([
      { field: 'dueOn', label: 'Due on', saved: '20 March 2026', yours: '31 2' },
    ]);
  });

  it('never lists technical fields, nor record values the form does not send (an id, a timestamp)', () => {
    const saved = {
      version: 4,
      idempotencyKey: 'a',
      submissionId: 'b',
      _csrf: 'c',
      id: 'x',
      createdAt: new Date(),
    };
    expect(savedChanges(saved, { version: '1', idempotencyKey: 'z', submissionId: 'y', _csrf: 'w' })).toEqual(
      [],
    );
  });

  it('compares a named field the person did not send (an unticked box) and words coded values', () => {
    const labels = {
      active: { label: 'Active', choices: { yes: 'Yes' } },
      status: { label: 'Where it stands', choices: { done: 'Done', dropped: 'Dropped' } },
    };
    expect(savedChanges({ active: true, status: 'done' }, { status: 'dropped' }, labels)).toEqual([
      { field: 'active', label: 'Active', saved: 'Yes', yours: '' },
      { field: 'status', label: 'Where it stands', saved: 'Done', yours: 'Dropped' },
    ]);
    expect(savedChanges({ active: false }, {}, labels)).toEqual([]);
  });

  it('takes lists in any order, and the line ends and edge spaces a browser adds as the same text', () => {
    const saved = { roles: ['manager', 'practitioner'], worries: 'One\nTwo' };
    expect(savedChanges(saved, { roles: ['practitioner', 'manager'], worries: 'One\r\nTwo \r\n' })).toEqual(
      [],
    );
    expect(savedChanges(saved, { roles: 'practitioner', worries: 'One\nTwo' })).toEqual([
      { field: 'roles', label: 'Roles', saved: 'manager, practitioner', yours: 'practitioner' },
    ]);
  });

  it('does not take a name it was not given from the labels’ prototype', () => {
    expect(savedChanges({ constructor: 'a' }, { constructor: 'b' })).toEqual([
      { field: 'constructor', label: 'Constructor', saved: 'a', yours: 'b' },
    ]);
  });
});

/** A record two people edit, behind a form page on a bare Fastify whose pages answer their data as JSON. */
describe('registerFormPage after a conflict', () => {
  let app: FastifyInstance;
  let record: {
    version: number;
    title: string;
    status: string;
    'dueOn-day': string;
    'dueOn-month': string;
    'dueOn-year': string;
  };
  const Form = z.object({
    version: z.coerce.number().int().positive(),
    title: z.string().trim().min(1, 'Enter a title'),
    status: z.enum(['open', 'done']),
  });

  beforeAll(async () => {
    app = Fastify();
    app.decorateRequest('ctx', function () {
      return {} as Ctx;
    });
    app.decorateReply('flash', function () {
      return this;
    });
    app.decorateReply('page', function (view: string, data: Record<string, unknown> = {}, status?: number) {
      if (status) this.status(status);
      return this.send({ view, data });
    });
    const load = async () => ({ values: { ...record } });
    const submit = async (_ctx: Ctx, data: z.output<typeof Form>) => {
      if (data.title === 'Taken') throw new ConflictError('Another record already has that title');
      if (data.version !== record.version) throw new ConflictError('Someone else changed this record');
      record = { ...record, ...data, version: record.version + 1 };
      return { redirect: '/done', flash: 'Saved' };
    };
    registerFormPage(app, {
      url: '/records/edit',
      access: 'signed-in',
      view: 'record.njk',
      schema: Form,
      load,
      submit,
      fieldLabels: () => ({
        title: 'Title',
        status: { label: 'Status', choices: { open: 'Open', done: 'Done' } },
      }),
    });
    registerFormPage(app, {
      url: '/records/close',
      access: 'signed-in',
      view: 'close.njk',
      schema: Form,
      load,
      submit,
      compare: false,
    });
    await app.ready();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    record = {
      version: 2,
      title: 'Saved title',
      status: 'done',
      'dueOn-day': '1',
      'dueOn-month': '4',
      'dueOn-year': '2026',
    };
  });

  const post = async (url: string, payload: Record<string, string>) => {
    const response = await app.inject({ method: 'POST', url, payload });
    return { status: response.statusCode, ...response.json<{ data: Record<string, unknown> }>() };
  };

  it('keeps the person’s input, takes the saved version and lists what the other save changed', async () => {
    const sent = {
      version: '1',
      title: 'My title',
      status: 'open',
      'dueOn-day': '1',
      'dueOn-month': '4',
      'dueOn-year': '2026',
    };
    const lost = await post('/records/edit', sent);
    expect(lost.status).toBe(409);
    expect(lost.data.values).toEqual({ ...sent, version: 2 });
    expect(lost.data.errors).toMatchObject({
      summary: [{ text: 'Someone else changed this record', href: '#form' }],
    });
    expect(lost.data.mergeChanges).toEqual([
      { field: 'title', label: 'Title', saved: 'Saved title', yours: 'My title' },
      { field: 'status', label: 'Status', saved: 'Done', yours: 'Open' },
    ]);

    const again = await app.inject({
      method: 'POST',
      url: '/records/edit',
      payload: { ...sent, version: '2' },
    });
    expect(again.statusCode).toBe(303);
    expect(record).toMatchObject({ title: 'My title', status: 'open', version: 3 });
  });

  it('checks a second save as any other: bad input is a 400 with the input kept, and nothing saved', async () => {
    const bad = await post('/records/edit', { version: '2', title: ' ', status: 'open' });
    expect(bad.status).toBe(400);
    expect(bad.data.values).toEqual({ version: '2', title: ' ', status: 'open' });
    expect(bad.data.mergeChanges).toBeUndefined();
    expect(record.title).toBe('Saved title');
  });

  it('gives a conflict that is not a race its own message and the input as sent, with nothing to compare', async () => {
    const taken = await post('/records/edit', { version: '2', title: 'Taken', status: 'open' });
    expect(taken.status).toBe(409);
    expect(taken.data.values).toEqual({ version: '2', title: 'Taken', status: 'open' });
    expect(taken.data.errors).toMatchObject({
      fields: { form: { text: 'Another record already has that title' } },
    });
    expect(taken.data.mergeChanges).toBeUndefined();
  });

  it('lists nothing when the other save changed nothing the person sent differently', async () => {
    const same = await post('/records/edit', { version: '1', title: 'Saved title', status: 'done' });
    expect(same.status).toBe(409);
    expect(same.data.values).toEqual({ version: 2, title: 'Saved title', status: 'done' });
    expect(same.data.mergeChanges).toBeUndefined();
  });

  it('compares nothing on a page whose values are only suggestions, but still keeps the input and the new version', async () => {
    const lost = await post('/records/close', { version: '1', title: 'My title', status: 'open' });
    expect(lost.status).toBe(409);
    expect(lost.data.values).toEqual({ version: 2, title: 'My title', status: 'open' });
    expect(lost.data.mergeChanges).toBeUndefined();
  });
});

describe('the layout after a lost race', () => {
  const views = createViews();
  const render = (data: Record<string, unknown>) =>
    views.renderString('{% extends "layout.njk" %}{% block page %}<form></form>{% endblock %}', {
      title: 'Change it',
      currentPath: '/x',
      ...data,
    });

  it('shows what was saved and what the person sent, escaped, with line breaks kept, above the form', () => {
    const html = render({
      errors: { summary: [{ text: 'Someone else changed this', href: '#form' }], fields: {} },
      mergeChanges: [{ field: 'worries', label: 'What worries us', saved: '<b>One</b>\nTwo', yours: '' }],
    });
    expect(html).toContain('Saved by someone else while you were editing');
    expect(html).toContain('What worries us');
    expect(html).toMatch(/Saved now:<\/span> &lt;b&gt;One&lt;\/b&gt;<br \/>\s*Two<\/p>/);
    expect(html).toContain('(left empty)');
    expect(html.indexOf('Someone else changed this')).toBeLessThan(html.indexOf('saved-by-others'));
    expect(html.indexOf('saved-by-others')).toBeLessThan(html.indexOf('<form>'));
  });

  it('shows no such list without changes', () => {
    expect(render({})).not.toContain('saved-by-others');
  });
});
