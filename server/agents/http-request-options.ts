import { z } from 'zod';
import { credentialOption } from './credential-types';
import { httpAuthTypes } from './http-auth';

export const MAX_PAGES = 100;

/**
 * Text values that may come out of Liquid as numbers or yes/no ("{{ issue.id }}" keeps its type):
 * sent as text. The form still shows a text box (the JSON Schema input type is string).
 */
export const textValue = z.preprocess(
  (v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v),
  z.string({ error: 'Each value must be text or a number' }),
);

const maxPages = z
  .number()
  .int('Max pages must be a whole number')
  .min(1, 'Fetch at least 1 page')
  .max(MAX_PAGES, `At most ${MAX_PAGES} pages`)
  .default(10)
  .describe(`Max pages. Stop after this many pages (at most ${MAX_PAGES}); reaching it is noted in the step log, not an error.`);

const pagination = z
  .discriminatedUnion(
    'mode',
    [
      z.object({ mode: z.literal('none') }).strict().meta({ title: 'One request, no pages' }),
      z.object({ mode: z.literal('next_link'), maxPages }).strict().meta({ title: 'Follow the "next" link of the Link header' }),
      z
        .object({
          mode: z.literal('cursor'),
          cursorPath: z
            .string()
            .trim()
            .min(1, 'Enter where the answer holds the next cursor, e.g. meta.next_cursor')
            .describe('Next cursor field. Where each answer holds the cursor of the next page, e.g. meta.next_cursor. Paging stops when it is empty.'),
          cursorParam: z
            .string()
            .trim()
            .min(1, 'Enter the query parameter that takes the cursor, e.g. cursor')
            .default('cursor')
            .describe('Cursor parameter. The query parameter the cursor is sent in, e.g. cursor or page_token.'),
          maxPages,
        })
        .strict()
        .meta({ title: 'Cursor from the answer' }),
      z
        .object({
          mode: z.literal('page_number'),
          pageParam: z
            .string()
            .trim()
            .min(1, 'Enter the query parameter that takes the page number, e.g. page')
            .default('page')
            .describe('Page parameter. The query parameter the page number is sent in, e.g. page.'),
          startPage: z.number().int('The first page must be a whole number').min(0).default(1).describe('First page number. Usually 1, sometimes 0.'),
          maxPages,
        })
        .strict()
        .meta({ title: 'Page numbers (stop at an empty page)' }),
    ],
    { error: 'Choose how to fetch more pages: none, next_link, cursor or page_number' },
  )
  .default({ mode: 'none' })
  .describe('Pages. Fetch the following pages of a long answer.');

export const httpRequestOptions = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET').describe('HTTP method'),
    url: z.string().min(1, 'Enter the address to call').describe('Address (URL) to call. Liquid allowed.'),
    query: z
      .record(z.string(), textValue)
      .optional()
      .describe('Query parameters. Added to the address as ?name=value, encoded for you. Liquid allowed.'),
    headers: z.record(z.string(), textValue).optional().describe('Request headers'),
    bodyType: z
      .enum(['json', 'form', 'text'])
      .default('json')
      .describe('Body kind: json, form fields (as a web form sends them), or text. Used with POST, PUT and PATCH.'),
    body: z.json().optional().describe('JSON body to send (for POST, PUT and PATCH)'),
    form: z.record(z.string(), textValue).optional().describe('Form fields. Sent as application/x-www-form-urlencoded when the body kind is form. Liquid allowed.'),
    rawBody: z.string().optional().describe('Text to send. Multi-line text such as CSV or XML, sent when the body kind is text. Liquid allowed.'),
    contentType: z
      .string()
      .trim()
      .min(1, 'Enter the content type of the text, e.g. text/plain')
      .default('text/plain')
      .describe('Content type. Of the text you send, e.g. text/csv or application/xml.'),
    credential: credentialOption(httpAuthTypes).optional().describe('Sign in with a credential (basic auth, a header, a bearer token, or OAuth2 client credentials)'),
    responseFormat: z
      .enum(['auto', 'json', 'text'])
      .default('auto')
      .describe('Response format: auto (JSON when the answer looks like JSON, otherwise text), json (fail if it is not JSON), or text'),
    pagination,
    itemsPath: z
      .string()
      .trim()
      .max(500, 'The items path is too long')
      .optional()
      .describe('Items path. Emit one event per item of the list at this path in each answer, e.g. data.issues. Leave empty for one event per answer.'),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.responseFormat !== 'text') return;
    if (o.itemsPath) {
      ctx.addIssue({ code: 'custom', path: ['itemsPath'], message: 'Items can only be taken from a JSON answer: set the response format to auto or json' });
    }
    if (o.pagination.mode === 'cursor' || o.pagination.mode === 'page_number') {
      ctx.addIssue({
        code: 'custom',
        path: ['pagination'],
        message: 'This kind of paging reads the JSON answer: set the response format to auto or json',
      });
    }
  });

export type HttpRequestOptions = z.output<typeof httpRequestOptions>;
