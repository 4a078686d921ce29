import { AppError } from '../errors';

/** Awaits a promise that must fail with an AppError, and returns that error for assertions. */
export async function appError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}
