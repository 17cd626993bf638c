import type { Migration } from 'kysely';
import * as m0001 from './0001_partnership_access_audit.ts';
import * as m0002 from './0002_people_households.ts';
import * as m0003 from './0003_audit_append_only.ts';
import * as m0004 from './0004_audit_context.ts';
import * as m0005 from './0005_trust.ts';
import * as m0006 from './0006_two_factor.ts';
import * as m0007 from './0007_read_indexes.ts';
import * as m0008 from './0008_person_index.ts';
import * as m0010 from './0010_match_keys.ts';
import * as m0011 from './0011_person_search.ts';
import * as m0012 from './0012_person_details.ts';
import * as m0013 from './0013_front_door.ts';
import * as m0014 from './0014_api_tokens.ts';
import * as m0015 from './0015_assessment_and_plan.ts';
import * as m0016 from './0016_signals.ts';
import * as m0017 from './0017_flag_lookup.ts';
import * as m0018 from './0018_directory.ts';
import * as m0019 from './0019_row_level_security.ts';
import * as m0020 from './0020_outcomes.ts';
import * as m0021 from './0021_outcome_money.ts';
import * as m0022 from './0022_practice_changes.ts';
import * as m0023 from './0023_statutory_returns.ts';
import * as m0024 from './0024_plan_reminders.ts';
import * as m0025 from './0025_local_outcome_codes.ts';
import * as m0026 from './0026_money_local_outcomes.ts';

/** Forward-only: migrations are added at the end and never edited once released. */
export const migrations: Record<string, Migration> = {
  '0001_partnership_access_audit': m0001,
  '0002_people_households': m0002,
  '0003_audit_append_only': m0003,
  '0004_audit_context': m0004,
  '0005_trust': m0005,
  '0006_two_factor': m0006,
  '0007_read_indexes': m0007,
  '0008_person_index': m0008,
  '0010_match_keys': m0010,
  '0011_person_search': m0011,
  '0012_person_details': m0012,
  '0013_front_door': m0013,
  '0014_api_tokens': m0014,
  '0015_assessment_and_plan': m0015,
  '0016_signals': m0016,
  '0017_flag_lookup': m0017,
  '0018_directory': m0018,
  '0019_row_level_security': m0019,
  '0020_outcomes': m0020,
  '0021_outcome_money': m0021,
  '0022_practice_changes': m0022,
  '0023_statutory_returns': m0023,
  '0024_plan_reminders': m0024,
  '0025_local_outcome_codes': m0025,
  '0026_money_local_outcomes': m0026,
};
