/**
 * The outcome frameworks a goal can serve, as data: a goal stores the framework's id and the
 * outcome's code, so the words can change here without touching the records. A partnership works
 * to its jurisdiction's framework by default (the `partnerships.jurisdiction` column); the others
 * of that jurisdiction may be chosen too, and so may the partnership's own frameworks (the outcomes
 * module's local frameworks, whose id is their uuid and whose codes are `o1`, `o2`...).
 * Sources: /work/shared/reference/standards.md section 6.
 */

/** `retired`: taken off its local framework's list, so offered for no new goal but still named. */
export type Outcome = { code: string; label: string; retired?: boolean };
export type OutcomeFramework = { id: string; name: string; outcomes: readonly Outcome[] };

/** Every Child Matters, the five outcomes in the Children Act 2004 s.10(2). */
const ENGLAND: OutcomeFramework = {
  id: 'england',
  name: 'Every Child Matters',
  outcomes: [
    { code: 'be_healthy', label: 'Be healthy' },
    { code: 'stay_safe', label: 'Stay safe' },
    { code: 'enjoy_and_achieve', label: 'Enjoy and achieve' },
    { code: 'positive_contribution', label: 'Make a positive contribution' },
    { code: 'economic_wellbeing', label: 'Achieve economic well-being' },
  ],
};

/** Getting it right for every child: the eight wellbeing indicators (SHANARRI). */
const SCOTLAND: OutcomeFramework = {
  id: 'scotland',
  name: 'Wellbeing indicators (SHANARRI)',
  outcomes: [
    { code: 'safe', label: 'Safe' },
    { code: 'healthy', label: 'Healthy' },
    { code: 'achieving', label: 'Achieving' },
    { code: 'nurtured', label: 'Nurtured' },
    { code: 'active', label: 'Active' },
    { code: 'respected', label: 'Respected' },
    { code: 'responsible', label: 'Responsible' },
    { code: 'included', label: 'Included' },
  ],
};

/** Supporting Families: the ten headline outcomes of the national framework (2022 to 2025). */
const SUPPORTING_FAMILIES: OutcomeFramework = {
  id: 'supporting_families',
  name: 'Supporting Families',
  outcomes: [
    { code: 'good_education', label: 'Getting a good education' },
    { code: 'early_years', label: 'Good early years development' },
    { code: 'health', label: 'Improved mental and physical health' },
    { code: 'substance_use', label: 'Promoting recovery and reducing harm from substance use' },
    { code: 'family_relationships', label: 'Improved family relationships' },
    { code: 'safe_from_abuse', label: 'Children safe from abuse and exploitation' },
    { code: 'crime', label: 'Crime prevention and tackling crime' },
    { code: 'domestic_abuse', label: 'Safe from domestic abuse' },
    { code: 'housing', label: 'Secure housing' },
    { code: 'financial_stability', label: 'Financial stability' },
  ],
};

export const OUTCOME_FRAMEWORKS: readonly OutcomeFramework[] = [ENGLAND, SCOTLAND, SUPPORTING_FAMILIES];

/** The frameworks open to a partnership in a jurisdiction, its default first. */
export function frameworksFor(jurisdiction: string): OutcomeFramework[] {
  return jurisdiction === 'scotland' ? [SCOTLAND] : [ENGLAND, SUPPORTING_FAMILIES];
}

/** The frameworks as offered for a new choice: without retired outcomes, and none left empty. */
export function offered(frameworks: readonly OutcomeFramework[]): OutcomeFramework[] {
  return frameworks
    .map((f) => ({ ...f, outcomes: f.outcomes.filter((o) => !o.retired) }))
    .filter((f) => f.outcomes.length > 0);
}

/** The outcome `framework:code` names among `frameworks`, or undefined when they do not know it. */
export function outcomeIn(frameworks: readonly OutcomeFramework[], framework: string, code: string) {
  const found = frameworks.find((f) => f.id === framework);
  const outcome = found?.outcomes.find((o) => o.code === code);
  return found && outcome ? { framework: found.id, frameworkName: found.name, ...outcome } : undefined;
}

/** The national outcome a goal names, or undefined when the framework or code is not one we know. */
export function outcomeOf(framework: string, code: string) {
  return outcomeIn(OUTCOME_FRAMEWORKS, framework, code);
}
