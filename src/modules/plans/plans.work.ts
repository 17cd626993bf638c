import type { Db } from '../../db/database.ts';
import type { AccessGate, AccessService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';

/** A plan's goals and ratings, actions, reviews and comments. */
export class PlanWorkService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
  ) {}
}
