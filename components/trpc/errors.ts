/**
 * Reading tRPC errors defensively: the server promises `error.message` is a plain sentence for the
 * user, `error.data.code` names the kind, and `error.data.issues` lists field problems.
 */
export interface FieldIssue {
  nodeId?: string;
  field?: string;
  message: string;
}

interface ErrorData {
  code?: string;
  httpStatus?: number;
  issues?: unknown;
}

function dataOf(error: unknown): ErrorData | undefined {
  if (typeof error !== 'object' || error === null || !('data' in error)) return undefined;
  const data = (error as { data: unknown }).data;
  return typeof data === 'object' && data !== null ? (data as ErrorData) : undefined;
}

export function errorCode(error: unknown): string | undefined {
  return dataOf(error)?.code;
}

export function isConflict(error: unknown): boolean {
  return errorCode(error) === 'CONFLICT';
}

/** 4xx: the request itself is wrong, so retrying will not help. */
export function isClientError(error: unknown): boolean {
  const status = dataOf(error)?.httpStatus;
  return typeof status === 'number' && status >= 400 && status < 500;
}

export function errorIssues(error: unknown): FieldIssue[] {
  const issues = dataOf(error)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.filter(
    (i): i is FieldIssue => typeof i === 'object' && i !== null && typeof (i as FieldIssue).message === 'string',
  );
}

/** The sentence to show the user. Network failures get a sentence too. */
export function errorMessage(error: unknown, fallback = 'Something went wrong. Please try again.'): string {
  if (error instanceof Error) {
    if (/fetch failed|Failed to fetch|NetworkError/i.test(error.message)) {
      return 'Muninn could not reach the server. Check your connection and try again.';
    }
    return error.message || fallback;
  }
  return fallback;
}
