import { notFound } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id cannot name anything: answer "not found" rather than a database error. */
export function uuidOrNotFound(id: string, what: string): string {
  if (!UUID.test(id)) throw notFound(what);
  return id;
}
