import { addMonths, londonDate } from '../../common/plain-dates.ts';

/**
 * The demo partnership's story for its outcome figures: five years of history, and one locality that
 * changed its way of working at the start of the third year (an integrated locality team), so the
 * evaluation page has a change to find. Every demo seed part that writes history reads it from here.
 */

/** How many years of history the demo's outcome figures cover, ending with the current month. */
export const DEMO_HISTORY_YEARS = 5;

export type DemoPracticeChange = {
  localityCode: 'east';
  /** The first day of the month the change took effect (YYYY-MM-DD). */
  changedOn: string;
  title: string;
  description: string;
};

/**
 * The demo's practice change: East, from the start of the financial year (1 April) in the third of
 * the five years, so whole years before and after it can be compared as well as quarters.
 */
export function demoPracticeChange(now: Date): DemoPracticeChange {
  const thirdYear = addMonths(`${londonDate(now).slice(0, 7)}-01`, -30);
  const year = Number(thirdYear.slice(0, 4)) - (thirdYear.slice(5, 7) < '04' ? 1 : 0);
  return {
    localityCode: 'east',
    changedOn: `${year}-04-01`,
    title: 'Integrated locality team in Eastbrook and Canal Side',
    description:
      'Early help, the school nursing team and a seconded police officer moved into one team with one front door and one plan per family.',
  };
}
