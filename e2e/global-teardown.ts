import pg from 'pg';

/** Drops this run's database (see playwright.config.ts), and e2e databases older than a day. */
export default async function teardown(): Promise<void> {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) return;
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'muninn\\_e2e\\_%'`);
    const dayAgo = Date.now() - 86_400_000;
    for (const { datname } of rows) {
      const stamp = parseInt(datname.slice('muninn_e2e_'.length), 36);
      if (datname === name || (Number.isFinite(stamp) && stamp < dayAgo)) {
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`).catch(() => undefined);
      }
    }
  } finally {
    await client.end();
  }
}
