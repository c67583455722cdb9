/** The small set of typed errors the domain raises; the HTTP layer maps each to one status once. */
export class DomainError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = code;
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export const invalid = (field: string, message: string) =>
  new DomainError(400, 'InvalidInput', message, field);
export const unauthorized = (message: string) => new DomainError(401, 'Unauthorized', message);
export const forbidden = (message: string) => new DomainError(403, 'Forbidden', message);
export const notFound = (message: string) => new DomainError(404, 'NotFound', message);
export const conflict = (message: string) => new DomainError(409, 'Conflict', message);
export const tooLarge = (message: string) => new DomainError(413, 'PayloadTooLarge', message);
export const refused = (message: string, field?: string) => new DomainError(422, 'Refused', message, field);
