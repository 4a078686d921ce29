/**
 * Domain errors. Services throw AppError with a code; the tRPC error formatter and the REST
 * route handlers map the code to a status. Messages are written for non-technical users.
 */
export type AppErrorCode =
  | 'BAD_REQUEST'
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_REQUESTS'
  | 'INTERNAL';

/** One problem with one place in a flow: which node, which field, what is wrong. */
export interface FieldIssue {
  nodeId?: string;
  field?: string;
  message: string;
}

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly issues: FieldIssue[];

  constructor(code: AppErrorCode, message: string, issues: FieldIssue[] = []) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.issues = issues;
  }
}

export const httpStatusOf: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
};

export function notFound(what: string): AppError {
  return new AppError('NOT_FOUND', `${what} was not found. It may have been deleted, or it belongs to another workspace.`);
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
