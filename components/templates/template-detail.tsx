'use client';

import { useState } from 'react';
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { ChevronLeft, CircleCheck, Download, KeyRound, Share2, SlidersHorizontal } from 'lucide-react';
import { useCan } from '../auth/account-context';
import { humanise } from '../canvas/schema/json-schema';
import { useTRPC } from '../trpc/client';
import { errorCode } from '../trpc/errors';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { EmptyState } from '../ui/empty-state';
import { ErrorNotice } from '../ui/error-notice';
import { formatDateTime } from '../ui/format';
import { Markdown } from '../ui/markdown';
import { PageSpinner } from '../ui/spinner';
import { AgentChip, useAgentCatalog } from './agent-icons';
import { PublishDialog } from './publish-dialog';
import { installCountText, SOURCE_LABEL } from './template-card';
import { usedByText } from './template-fields';
import { TemplateGraph } from './template-graph';

/** Headings, lists and code in a template's Markdown description. */
export const proseClass =
  '[&_h1]:mt-4 [&_h1]:mb-2 [&_h1]:text-lg [&_h1]:font-semibold [&_h2]:mt-4 [&_h2]:mb-2 [&_h2]:text-base [&_h2]:font-semibold [&_h3]:mt-3 [&_h3]:mb-1 [&_h3]:font-semibold [&_h1]:text-slate-900 [&_h2]:text-slate-900 [&_h3]:text-slate-900 dark:[&_h1]:text-slate-100 dark:[&_h2]:text-slate-100 dark:[&_h3]:text-slate-100 [&_pre]:my-2 [&_pre]:overflow-x-auto [&_pre]:rounded-lg [&_pre]:bg-slate-100 [&_pre]:p-3 dark:[&_pre]:bg-slate-800 [&_blockquote]:border-l-2 [&_blockquote]:border-slate-300 [&_blockquote]:pl-3';

const linkButton = 'inline-flex h-9 items-center gap-2 rounded-lg px-3.5 text-sm font-medium';

/** A template's page: the flow drawn read-only, what it does, what it needs, its versions, and Install. */
export function TemplateDetailView({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const catalog = useAgentCatalog();
  const canEdit = useCan('edit');
  const canPublish = useCan('manage');
  const template = useQuery(trpc.templates.get.queryOptions({ slug }));
  const [publishing, setPublishing] = useState(false);

  if (template.isPending) return <PageSpinner label="Loading the template…" />;
  if (template.isError) {
    if (errorCode(template.error) === 'NOT_FOUND') {
      return (
        <EmptyState icon={Share2} title="This template is not available" testId="template-not-found" action={<BackToTemplates />}>
          It may have been removed, or it is shared only within another workspace.
        </EmptyState>
      );
    }
    return (
      <ErrorNotice title="The template could not be loaded." error={template.error}>
        <BackToTemplates />
      </ErrorNotice>
    );
  }
  const t = template.data;
  const latest = t.versions[0];

  return (
    <article className="space-y-6" data-testid="template-detail" data-slug={t.slug}>
      <div>
        <Link href="/templates" className="inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-800 dark:hover:text-slate-200">
          <ChevronLeft className="h-4 w-4" aria-hidden />
          All templates
        </Link>
      </div>
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 max-w-2xl space-y-2">
          <h1 className="text-2xl font-semibold tracking-tight">{t.name}</h1>
          <p className="text-slate-600 dark:text-slate-400">{t.summary}</p>
          <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-slate-500 dark:text-slate-400">
            <Badge tone={t.source === 'catalog' ? 'neutral' : t.source === 'workspace' ? 'indigo' : 'blue'}>{SOURCE_LABEL[t.source]}</Badge>
            <span>by {t.author}</span>
            <span data-testid="template-detail-version">Version {t.version}</span>
            <span className="inline-flex items-center gap-1">
              <Download className="h-3.5 w-3.5" aria-hidden />
              {installCountText(t.installCount)}
            </span>
            <Link href={`/templates?category=${encodeURIComponent(t.category)}`} className="hover:underline">
              {t.category}
            </Link>
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {canPublish && t.canPublishVersions && (
            <Button onClick={() => setPublishing(true)} data-testid="publish-new-version">
              <Share2 className="h-4 w-4" aria-hidden />
              Publish a new version
            </Button>
          )}
          {canEdit ? (
            <Link href={`/templates/${t.slug}/install`} className={`${linkButton} bg-indigo-600 text-white shadow-sm hover:bg-indigo-500`} data-testid="template-install">
              <Download className="h-4 w-4" aria-hidden />
              Install
            </Link>
          ) : (
            <p className="text-sm text-slate-500">Builders and admins of this workspace can install it.</p>
          )}
        </div>
      </header>

      <TemplateGraph graph={t.graph} catalog={catalog} className="h-72" />

      <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <section aria-labelledby="about-heading" className="min-w-0">
          <h2 id="about-heading" className="mb-2 text-base font-semibold">
            What it does
          </h2>
          {t.description ? <Markdown className={proseClass}>{t.description}</Markdown> : <p className="text-sm text-slate-500">{t.summary}</p>}
          {t.tags.length > 0 && (
            <ul className="mt-4 flex flex-wrap gap-1.5" aria-label="Tags">
              {t.tags.map((tag) => (
                <li key={tag}>
                  <Link href={`/templates?tag=${encodeURIComponent(tag)}`} className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600 hover:bg-indigo-50 hover:text-indigo-700 dark:bg-slate-800 dark:text-slate-300">
                    #{tag}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>

        <aside className="space-y-6 text-sm">
          <section aria-labelledby="needs-heading" data-testid="template-credentials">
            <h2 id="needs-heading" className="mb-2 flex items-center gap-2 text-base font-semibold">
              <KeyRound className="h-4 w-4 text-amber-600" aria-hidden />
              Credentials it needs
            </h2>
            {t.credentials.length === 0 ? (
              <p className="text-slate-600 dark:text-slate-400">None — it signs in nowhere.</p>
            ) : (
              <ul className="space-y-2.5">
                {t.credentials.map((c) => (
                  <li key={c.name}>
                    <p className="font-medium">
                      {humanise(c.name)} <span className="font-normal text-slate-500">— {c.typeLabel}</span>
                    </p>
                    {c.description && <p className="text-slate-600 dark:text-slate-400">{c.description}</p>}
                    <p className="mt-0.5 text-xs text-slate-500">
                      {c.available.length > 0 ? (
                        <span className="inline-flex items-center gap-1 text-emerald-700 dark:text-emerald-400">
                          <CircleCheck className="h-3.5 w-3.5" aria-hidden />
                          You have {c.available.length === 1 ? 'one' : c.available.length} that fit{c.available.length === 1 ? 's' : ''}.
                        </span>
                      ) : (
                        'You can create it while installing.'
                      )}{' '}
                      {!c.description?.startsWith('Used by') && usedByText(c.usedBy)}
                    </p>
                  </li>
                ))}
              </ul>
            )}
          </section>

          {t.inputs.length > 0 && (
            <section aria-labelledby="inputs-heading">
              <h2 id="inputs-heading" className="mb-2 flex items-center gap-2 text-base font-semibold">
                <SlidersHorizontal className="h-4 w-4 text-slate-500" aria-hidden />
                You fill in
              </h2>
              <ul className="space-y-1.5">
                {t.inputs.map((i) => (
                  <li key={i.name}>
                    <span className="font-medium">{i.label}</span>
                    {i.required ? <span className="text-slate-500"> (required)</span> : <span className="text-slate-500"> (has a suggested value)</span>}
                    {i.description && <p className="text-xs text-slate-500">{i.description}</p>}
                  </li>
                ))}
              </ul>
            </section>
          )}

          <section aria-labelledby="agents-heading" data-testid="template-agents">
            <h2 id="agents-heading" className="mb-2 text-base font-semibold">
              Steps it uses
            </h2>
            <ul className="space-y-2">
              {t.agents.map((a) => (
                <li key={a.type} className="flex items-center gap-2.5">
                  <AgentChip type={a.type} agent={{ name: a.name, icon: a.icon, category: a.category }} />
                  <span>
                    {a.name}
                    {!a.known && <span className="text-amber-700 dark:text-amber-400"> — not available on this Muninn</span>}
                  </span>
                </li>
              ))}
            </ul>
          </section>

          <section aria-labelledby="versions-heading" data-testid="template-versions">
            <h2 id="versions-heading" className="mb-2 text-base font-semibold">
              Versions
            </h2>
            <ol className="space-y-3">
              {t.versions.map((v) => (
                <li key={v.version}>
                  <p className="text-xs font-medium text-slate-500">
                    Version {v.version}
                    {v === latest && ' (latest)'} · {formatDateTime(new Date(v.createdAt))}
                  </p>
                  <Markdown>{v.changelog}</Markdown>
                </li>
              ))}
            </ol>
          </section>
        </aside>
      </div>

      {canPublish && t.canPublishVersions && <PublishDialog open={publishing} onClose={() => setPublishing(false)} slug={t.slug} />}
    </article>
  );
}

function BackToTemplates() {
  return (
    <Link href="/templates" className="font-medium text-indigo-600 underline dark:text-indigo-400">
      Back to all templates
    </Link>
  );
}
