import type { Db } from '../../db/database.ts';
import type { AccessGate, AccessService, InvolvementService } from '../access/index.ts';
import type { AuditService } from '../audit/index.ts';

/** The family plan: start, children, lead professional, team around the family, stages, closing. */
export class PlanService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly gate: AccessGate,
    private readonly involvements: InvolvementService,
  ) {}
}
