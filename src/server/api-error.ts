import type { ErrorCode } from '../contracts/errors.js';

/** The one error a route handler throws for an expected failure; mapped to a JSON body by the route builder. */
export class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}
