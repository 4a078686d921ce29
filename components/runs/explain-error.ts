/**
 * Step errors come from the agents as sentences, but many are an HTTP status or a network code.
 * This adds what it means and what to do, in plain words; the original text is always kept.
 */
export interface ErrorExplanation {
  /** What happened, in one short sentence. */
  summary: string;
  /** What to do about it. */
  hint: string | null;
}

const byStatus: Array<[RegExp, ErrorExplanation]> = [
  [/\b(401)\b/, { summary: 'The service refused the sign-in (401).', hint: 'Check the credential this step uses in Settings → Credentials: the token or password may be wrong or expired.' }],
  [/\b(403)\b/, { summary: 'The service said this account may not do that (403).', hint: 'Check the permissions of the account behind the credential this step uses.' }],
  [/\b(404)\b/, { summary: 'The address or record was not found (404).', hint: 'Check the address in the step settings, and that the record still exists.' }],
  [/\b(409)\b/, { summary: 'The service reported a conflict (409).', hint: 'The record may have been changed at the same time. Retrying often helps.' }],
  [/\b(422|400)\b/, { summary: 'The service did not accept the data it was sent.', hint: 'Open the step input below and compare it with what the service expects.' }],
  [/\b(429)\b/, { summary: 'The service asked Muninn to slow down (429).', hint: 'Wait a little and retry; if it keeps happening, run the flow less often.' }],
  [/\b(5\d\d)\b/, { summary: 'The service had a problem on its side.', hint: 'This is often temporary. Retry from the failed step in a few minutes.' }],
];

const byText: Array<[RegExp, ErrorExplanation]> = [
  [/timed? ?out|timeout|ETIMEDOUT/i, { summary: 'The service took too long to answer.', hint: 'It may be busy or down. Retry later.' }],
  [/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|could not connect|could not reach|fetch failed/i, { summary: 'Muninn could not reach the service.', hint: 'Check the address, and that the service is up and reachable from Muninn.' }],
  [/not allowed|blocked|private address/i, { summary: 'The address is not allowed.', hint: 'Ask your Muninn administrator to allow this host.' }],
  [/credential/i, { summary: 'There is a problem with a credential.', hint: 'Open Settings → Credentials and check the one this step uses.' }],
  [/cancel/i, { summary: 'Someone cancelled the run.', hint: 'Re-run it when you are ready.' }],
];

export function explainError(error: string): ErrorExplanation | null {
  const http = /answered\s+(\d{3})|status(?: code)?\s*:?\s*(\d{3})|\((\d{3})\)/i.exec(error);
  if (http) {
    const code = http[1] ?? http[2] ?? http[3] ?? '';
    for (const [re, ex] of byStatus) if (re.test(code)) return ex;
  }
  for (const [re, ex] of byText) if (re.test(error)) return ex;
  return null;
}
