/** Posts a form to an /api/auth endpoint; resolves to the error sentence and field problems, or null on success. */
export interface FormProblem {
  message: string;
  fields: Record<string, string>;
}

export async function postJson(url: string, body: unknown): Promise<FormProblem | null> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    return { message: 'Muninn could not reach the server. Check your connection and try again.', fields: {} };
  }
  if (res.ok) return null;
  const data = (await res.json().catch(() => null)) as { error?: { message?: string; issues?: Array<{ field?: string; message: string }> } } | null;
  const fields: Record<string, string> = {};
  for (const issue of data?.error?.issues ?? []) if (issue.field) fields[issue.field] = issue.message;
  return { message: data?.error?.message ?? 'Something went wrong. Please try again.', fields };
}
