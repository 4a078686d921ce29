import type { Metadata } from 'next';
import { PageBody } from '@/components/app-shell/page-header';
import { Marketplace } from '@/components/templates/marketplace';
import type { TemplateSort } from '@/components/templates/types';

export const metadata: Metadata = { title: 'Templates' };

const SORTS: TemplateSort[] = ['popular', 'new', 'name'];

function one(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s?.trim() ? s : undefined;
}

export default async function TemplatesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const sort = one(params.sort);
  return (
    <PageBody>
      <Marketplace
        initial={{
          q: one(params.q),
          category: one(params.category),
          tag: one(params.tag),
          sort: SORTS.includes(sort as TemplateSort) ? (sort as TemplateSort) : undefined,
        }}
      />
    </PageBody>
  );
}
