/** Typed domain errors. Services throw these; `web/errors.ts` maps them to HTTP in one place. */

export type FieldError = { field: string; message: string };

export class DomainError extends Error {
  override name = 'DomainError';
}

/** Input that a person must correct, field by field. */
export class ValidationError extends DomainError {
  override name = 'ValidationError';
  constructor(
    readonly fields: FieldError[],
    message = fields.map((f) => `${f.field}: ${f.message}`).join('; '),
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  constructor(readonly what: string) {
    super(`${what} was not found`);
  }
}

export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
  constructor(
    message: string,
    /** Where the person can go to get access, if anywhere. */
    readonly next?: { href: string; text: string },
  ) {
    super(message);
  }
}

/** Not signed in, or the sign-in attempt failed. */
export class UnauthenticatedError extends DomainError {
  override name = 'UnauthenticatedError';
}

/** The record changed since it was read, or the action is not allowed in its current state. */
export class ConflictError extends DomainError {
  override name = 'ConflictError';
  constructor(
    message: string,
    readonly allowed: string[] = [],
  ) {
    super(message);
  }
}
