export { seedPeople, countPeople, type PeopleCounts, type SeedProgress } from './people.seed.ts';
export { NORTHBRIDGE_LOCALITIES, type LocalityCode } from './northbridge.ts';
