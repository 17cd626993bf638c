import type { Role } from '../../src/common/context.ts';
import type { Db } from '../../src/db/database.ts';
import type { ServiceRecord, ServiceRecordInput } from '../../src/modules/directory/index.ts';
import { insertPartnership, insertUser } from './builders.ts';
import { TEST_NOW } from './context.ts';
import { aServiceRecord, saveTestServices, seedTestDirectory } from './directory.ts';

/**
 * A partnership whose directory has entries run by two of its agencies (a charity and a school) and one
 * run by nobody in the partnership, with directory editors, an administrator, the charity's
 * practitioner (who answers its referrals) and another partnership's editor.
 */
export async function buildEditorWorld(db: Db) {
  const partnershipId = await insertPartnership(db, 'Northbridge');
  const otherPartnershipId = await insertPartnership(db, 'Southport');
  const { term, terms } = await seedTestDirectory(db, partnershipId);

  const org = async (p: string, name: string) =>
    (
      await db
        .insertInto('organisations')
        .values({ partnershipId: p, name, sector: 'voluntary', kind: name })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const orgs = {
    charity: await org(partnershipId, 'Families First'),
    school: await org(partnershipId, 'Elm Park School'),
    council: await org(partnershipId, 'Northbridge Council'),
    elsewhere: await org(otherPartnershipId, 'Southport Council'),
  };

  const user = (email: string, organisationId: string, roles: Role[], p = partnershipId) =>
    insertUser(db, p, email, organisationId, roles);
  const users = {
    editor: await user('editor@charity.example', orgs.charity, ['directory_editor']),
    secondEditor: await user('editor2@charity.example', orgs.charity, ['directory_editor']),
    schoolEditor: await user('editor@school.example', orgs.school, ['directory_editor']),
    admin: await user('admin@council.example', orgs.council, ['partnership_admin']),
    provider: await user('worker@charity.example', orgs.charity, ['practitioner']),
    practitioner: await user('worker@school.example', orgs.school, ['practitioner']),
    analyst: await user('analyst@council.example', orgs.council, ['analyst']),
    outsider: await user(
      'editor@southport.example',
      orgs.elsewhere,
      ['directory_editor'],
      otherPartnershipId,
    ),
  };

  /** Saves an entry run by the given agency (null: by nobody in the partnership). */
  const entry = async (
    agency: string | null,
    overrides: Partial<ServiceRecordInput> = {},
    p = partnershipId,
  ): Promise<ServiceRecord> => {
    const record = aServiceRecord(overrides);
    await saveTestServices(db, p, [record], TEST_NOW);
    await db
      .updateTable('directoryOrganizations')
      .set({ agencyOrganisationId: agency })
      .where('partnershipId', '=', p)
      .where('id', '=', record.organization.id)
      .execute();
    return record;
  };

  return { partnershipId, otherPartnershipId, orgs, users, term, terms, entry };
}

export type EditorWorld = Awaited<ReturnType<typeof buildEditorWorld>>;
