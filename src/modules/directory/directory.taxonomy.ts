import type { Db, Tx } from '../../db/database.ts';

/**
 * The needs taxonomy a partnership starts with: two levels, in a family's words, close to the LGA
 * needs list that UK directories use. Codes are stable (searches, imports and links name them);
 * term ids are the partnership's own. A partnership may add terms or import its own taxonomy.
 */
export const NEEDS_TAXONOMY_NAME = 'Wraparound needs';

type TermDefinition = { code: string; name: string; description: string; children?: TermDefinition[] };

export const NEEDS_TAXONOMY: readonly TermDefinition[] = [
  {
    code: 'family-life',
    name: 'Family life and parenting',
    description: 'Help with being a parent, family relationships and looking after children.',
    children: [
      {
        code: 'parenting',
        name: 'Parenting support',
        description: 'Groups, courses and one-to-one help for parents.',
      },
      {
        code: 'early-years',
        name: 'Babies and young children',
        description: 'Pregnancy, baby groups, play and early learning.',
      },
      {
        code: 'childcare',
        name: 'Childcare',
        description: 'Nurseries, childminders, funded hours and holiday care.',
      },
      {
        code: 'young-carers',
        name: 'Young carers',
        description: 'Support for children who look after someone at home.',
      },
      {
        code: 'separation',
        name: 'Separation and family conflict',
        description: 'Mediation and support when parents argue or separate.',
      },
    ],
  },
  {
    code: 'health',
    name: 'Health and wellbeing',
    description: 'Physical and emotional health for children, young people and parents.',
    children: [
      {
        code: 'mental-health',
        name: 'Emotional wellbeing and mental health',
        description: 'Counselling, anxiety, low mood and self-harm support.',
      },
      {
        code: 'send',
        name: 'Special educational needs and disabilities',
        description: 'Advice, short breaks and support for disabled children.',
      },
      {
        code: 'speech-language',
        name: 'Speech, language and communication',
        description: 'Help for children who find talking or listening hard.',
      },
      {
        code: 'substance-use',
        name: 'Drugs and alcohol',
        description: 'Support for young people or parents using drugs or alcohol.',
      },
      {
        code: 'sexual-health',
        name: 'Sexual health and relationships',
        description: 'Contraception, testing and healthy relationships.',
      },
      {
        code: 'healthy-lifestyles',
        name: 'Healthy eating and activity',
        description: 'Food, exercise and weight.',
      },
    ],
  },
  {
    code: 'safety',
    name: 'Staying safe',
    description: 'Help when someone is being hurt, frightened or taken advantage of.',
    children: [
      {
        code: 'domestic-abuse',
        name: 'Domestic abuse',
        description: 'Refuge, advocacy and recovery for families living with abuse.',
      },
      {
        code: 'exploitation',
        name: 'Exploitation and going missing',
        description: 'Support for young people at risk of criminal or sexual exploitation.',
      },
      {
        code: 'bullying',
        name: 'Bullying and online safety',
        description: 'Help with bullying in school, online or in the community.',
      },
      {
        code: 'youth-justice',
        name: 'Young people in trouble with the law',
        description: 'Prevention, diversion and youth justice support.',
      },
    ],
  },
  {
    code: 'money-home',
    name: 'Money, food and housing',
    description: 'Benefits, debt, food, fuel and somewhere safe to live.',
    children: [
      {
        code: 'benefits-debt',
        name: 'Benefits and debt advice',
        description: 'Checking entitlements, managing debt and budgeting.',
      },
      {
        code: 'food',
        name: 'Food and essentials',
        description: 'Food banks, community pantries, school uniform and baby items.',
      },
      {
        code: 'housing',
        name: 'Housing and homelessness',
        description: 'Finding a home, tenancy problems and homelessness.',
      },
      {
        code: 'work-skills',
        name: 'Work and skills',
        description: 'Jobs, training and learning for parents and young people.',
      },
    ],
  },
  {
    code: 'learning',
    name: 'School and learning',
    description: 'Getting to school, doing well and what comes next.',
    children: [
      {
        code: 'attendance',
        name: 'School attendance',
        description: 'Help when a child is missing school or finds it hard to go.',
      },
      {
        code: 'education-support',
        name: 'Learning support and tutoring',
        description: 'Homework clubs, tutoring and reading help.',
      },
      {
        code: 'careers',
        name: 'Careers and next steps',
        description: 'Apprenticeships, college and careers advice for young people.',
      },
    ],
  },
  {
    code: 'activities',
    name: 'Things to do',
    description: 'Clubs, sport, arts and holiday activities.',
    children: [
      {
        code: 'youth-clubs',
        name: 'Youth clubs',
        description: 'Open-access youth clubs and detached youth work.',
      },
      {
        code: 'sport',
        name: 'Sport and physical activity',
        description: 'Teams, classes and free sessions.',
      },
      { code: 'arts', name: 'Arts, music and culture', description: 'Drama, music, art and libraries.' },
      {
        code: 'holiday-activities',
        name: 'Holiday activities and food',
        description: 'Free holiday clubs with a meal for children on free school meals.',
      },
    ],
  },
];

/** Every term with its parent's code, parents first. */
export function flattenTaxonomy(
  terms: readonly TermDefinition[] = NEEDS_TAXONOMY,
): { code: string; name: string; description: string; parentCode: string | null }[] {
  return terms.flatMap((t) => [
    { code: t.code, name: t.name, description: t.description, parentCode: null },
    ...(t.children ?? []).map((c) => ({ ...c, parentCode: t.code })),
  ]);
}

/** Gives a partnership the needs taxonomy if it has none yet; answers the taxonomy's id. */
export async function seedNeedsTaxonomy(tx: Tx, partnershipId: string): Promise<string> {
  const existing = await tx
    .selectFrom('directoryTaxonomies')
    .select('id')
    .where('partnershipId', '=', partnershipId)
    .where('name', '=', NEEDS_TAXONOMY_NAME)
    .executeTakeFirst();
  if (existing) return existing.id;
  const { id: taxonomyId } = await tx
    .insertInto('directoryTaxonomies')
    .values({
      partnershipId,
      name: NEEDS_TAXONOMY_NAME,
      description: 'What a family or young person needs help with.',
      version: '1',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ids = new Map<string, string>();
  for (const term of flattenTaxonomy()) {
    const { id } = await tx
      .insertInto('directoryTaxonomyTerms')
      .values({
        partnershipId,
        taxonomyId,
        code: term.code,
        name: term.name,
        description: term.description,
        parentId: term.parentCode ? ids.get(term.parentCode)! : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.set(term.code, id);
  }
  return taxonomyId;
}

export type TaxonomyTerm = {
  id: string;
  taxonomyId: string;
  code: string;
  name: string;
  description: string;
  parentId: string | null;
};

/** A partnership's terms, parents before children, in the order they were made. */
export async function taxonomyTermsOf(db: Db | Tx, partnershipId: string): Promise<TaxonomyTerm[]> {
  return db
    .selectFrom('directoryTaxonomyTerms')
    .select(['id', 'taxonomyId', 'code', 'name', 'description', 'parentId'])
    .where('partnershipId', '=', partnershipId)
    .orderBy('taxonomyId')
    .orderBy('parentId', (ob) => ob.desc().nullsFirst())
    .orderBy('name')
    .execute();
}

/** A term and every term under it: searching for a need finds services tagged with any narrower need. */
export function termWithDescendants(terms: readonly TaxonomyTerm[], termId: string): string[] {
  const found = [termId];
  for (let i = 0; i < found.length; i++) {
    for (const t of terms) if (t.parentId === found[i]) found.push(t.id);
  }
  return found;
}
