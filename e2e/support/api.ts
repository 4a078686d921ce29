import { expect, type APIRequestContext } from '@playwright/test';

/**
 * tRPC over HTTP, the way the app calls it (superjson envelope), for seeding test data. Mutations
 * carry the app's own Origin, as a browser would: the server refuses cookie-authenticated
 * mutations from other sites.
 */
export class Api {
  constructor(
    private readonly request: APIRequestContext,
    private readonly baseURL: string,
  ) {}

  async mutation<T>(path: string, input: unknown): Promise<T> {
    const res = await this.request.post(`/api/trpc/${path}`, { data: { json: input }, headers: { origin: new URL(this.baseURL).origin } });
    expect(res.ok(), `${path} failed: ${await res.text()}`).toBeTruthy();
    return ((await res.json()) as { result: { data: { json: T } } }).result.data.json;
  }

  async query<T>(path: string, input: unknown): Promise<T> {
    const res = await this.request.get(`/api/trpc/${path}`, { params: { input: JSON.stringify({ json: input }) } });
    expect(res.ok(), `${path} failed: ${await res.text()}`).toBeTruthy();
    return ((await res.json()) as { result: { data: { json: T } } }).result.data.json;
  }

  createFlow(name: string): Promise<{ id: string; version: number }> {
    return this.mutation('flows.create', { name });
  }
}
