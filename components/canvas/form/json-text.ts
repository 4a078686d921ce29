/**
 * Text ↔ value for free-JSON settings. People type `open` or `42` more often than `"open"`, so
 * anything that is not clearly JSON is kept as text; text that starts like JSON must parse.
 */
export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

const LOOKS_LIKE_JSON = /^\s*[[{"]/;
const JSON_SCALAR = /^\s*(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)\s*$/;

function failure(error: unknown): Parsed {
  const reason = error instanceof Error ? error.message.replace(/^JSON\.parse: /, '') : 'it could not be read';
  return { ok: false, message: `This is not valid JSON yet (${reason}). Check the quotes, commas and brackets.` };
}

export function parseLoose(text: string): Parsed {
  if (text.trim() === '') return { ok: true, value: undefined };
  if (LOOKS_LIKE_JSON.test(text) || JSON_SCALAR.test(text)) {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (error) {
      return failure(error);
    }
  }
  return { ok: true, value: text };
}

export function parseObject(text: string): Parsed {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, message: 'This must be a JSON object, e.g. { "field": "value" }.' };
    }
    return { ok: true, value };
  } catch (error) {
    return failure(error);
  }
}

export function formatLoose(value: unknown, pretty: boolean): string {
  if (value === undefined) return '';
  if (typeof value === 'string' && !LOOKS_LIKE_JSON.test(value) && !JSON_SCALAR.test(value)) return value;
  return JSON.stringify(value, null, pretty ? 2 : undefined);
}
