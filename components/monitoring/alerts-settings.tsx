'use client';

import { useState } from 'react';
import Link from 'next/link';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { BellOff, BellRing, CircleCheck, CircleX, Pencil, Plus, Send, Trash2, TriangleAlert } from 'lucide-react';
import { useCan } from '../auth/account-context';
import { useTRPC, useTRPCClient } from '../trpc/client';
import { errorMessage } from '../trpc/errors';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { EmptyState } from '../ui/empty-state';
import { ErrorNotice } from '../ui/error-notice';
import { formatDateTime, formatRelative } from '../ui/format';
import { Select } from '../ui/select';
import { PageSpinner } from '../ui/spinner';
import { Switch } from '../ui/switch';
import { useToast } from '../ui/toast';
import { AlertRuleForm } from './alert-rule-form';
import { useFlowParam } from './use-flow-param';
import { deliveryErrorText, describeCondition, describeDelivery, type AlertIncident, type AlertRule } from './alert-words';

/** Alert rules per flow, and the history of what they reported. */
export function AlertsSettings() {
  const trpc = useTRPC();
  const { flowId, setFlow } = useFlowParam();
  const canEdit = useCan('edit');
  const [editing, setEditing] = useState<AlertRule | 'new' | null>(null);

  const flows = useQuery(trpc.flows.list.queryOptions());
  const rules = useQuery(trpc.monitoring.alertRules.queryOptions(flowId ? { flowId } : {}, { refetchInterval: 30_000 }));
  const credentials = useQuery(trpc.credentials.list.queryOptions());
  const credentialName = (id: string) => credentials.data?.find((c) => c.id === id)?.name;
  const flowList = flows.data ?? [];

  return (
    <div className="space-y-8">
      <section aria-labelledby="alert-rules-title">
        <div className="mb-3 flex flex-wrap items-end gap-3">
          <div className="mr-auto">
            <h2 id="alert-rules-title" className="text-lg font-semibold">
              Alerts
            </h2>
            <p className="text-sm text-slate-600 dark:text-slate-400">Get an e-mail or a Slack message when a flow keeps failing — and another when it works again.</p>
          </div>
          <label className="block w-56 text-sm font-medium text-slate-700 dark:text-slate-200">
            <span className="sr-only">Show the rules of</span>
            <Select
              value={flowId ?? ''}
              onChange={(e) => setFlow(e.target.value || null)}
              data-testid="alerts-flow-filter"
            >
              <option value="">All flows</option>
              {flowList.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </Select>
          </label>
          {canEdit && (
            <Button variant="primary" onClick={() => setEditing('new')} disabled={flowList.length === 0} data-testid="new-alert-rule">
              <Plus className="h-4 w-4" aria-hidden />
              New alert rule
            </Button>
          )}
        </div>

        {!canEdit && <p className="mb-3 text-sm text-slate-500">You can see the alert rules; builders and admins can change them.</p>}
        {rules.isPending && <PageSpinner label="Loading alert rules…" />}
        {rules.isError && <ErrorNotice title="The alert rules could not be loaded." error={rules.error} />}
        {rules.isSuccess && rules.data.length === 0 && (
          <EmptyState
            icon={BellRing}
            title={flowId ? 'No alerts for this flow yet' : 'No alerts yet'}
            testId="alerts-empty"
            action={
              canEdit && flowList.length > 0 ? (
                <Button variant="primary" onClick={() => setEditing('new')}>
                  <Plus className="h-4 w-4" aria-hidden />
                  New alert rule
                </Button>
              ) : undefined
            }
          >
            {flowList.length === 0 ? (
              <>
                Alerts watch flows.{' '}
                <Link href="/flows" className="font-medium text-indigo-600 underline dark:text-indigo-400">
                  Create a flow
                </Link>{' '}
                first.
              </>
            ) : (
              'An alert rule watches a flow and tells you by e-mail or Slack when its runs keep failing, or when nothing has succeeded for a while.'
            )}
          </EmptyState>
        )}
        {rules.data && rules.data.length > 0 && (
          <ul className="space-y-3" data-testid="alert-rules">
            {rules.data.map((rule) => (
              <RuleCard key={rule.id} rule={rule} canEdit={canEdit} credentialName={credentialName(rule.delivery.credentialId)} onEdit={() => setEditing(rule)} showFlow={!flowId} />
            ))}
          </ul>
        )}
      </section>

      <IncidentHistory flowId={flowId} />

      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New alert rule' : 'Change alert rule'} testId="alert-rule-dialog">
        {editing !== null && <AlertRuleForm rule={editing === 'new' ? null : editing} flowId={flowId} flows={flowList} onDone={() => setEditing(null)} />}
      </Dialog>
    </div>
  );
}

function RuleCard({ rule, canEdit, credentialName, onEdit, showFlow }: { rule: AlertRule; canEdit: boolean; credentialName?: string; onEdit: () => void; showFlow: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.monitoring.alertRules.pathKey() });
  const toggle = useMutation(
    trpc.monitoring.updateAlertRule.mutationOptions({
      onSuccess: (r) => {
        void refresh();
        toast.show({ tone: 'success', message: r.enabled ? `“${r.name}” is on again.` : `“${r.name}” is off: it will not send alerts until you turn it on.` });
      },
      onError: (e) => toast.show({ tone: 'error', message: errorMessage(e) }),
    }),
  );
  const remove = useMutation(
    trpc.monitoring.deleteAlertRule.mutationOptions({
      onSuccess: () => {
        setConfirmDelete(false);
        void refresh();
        toast.show({ tone: 'success', message: `Alert rule “${rule.name}” deleted.` });
      },
      onError: (e) => toast.show({ tone: 'error', message: errorMessage(e) }),
    }),
  );
  const test = useMutation(
    trpc.monitoring.sendTestAlert.mutationOptions({
      onSuccess: (r) =>
        toast.show(r.ok ? { tone: 'success', message: `A test alert of “${rule.name}” was sent. Check that it arrived.` } : { tone: 'error', message: `The test alert could not be sent: ${deliveryErrorText(r.error ?? 'no reason given.')}` }),
      onError: (e) => toast.show({ tone: 'error', message: errorMessage(e) }),
    }),
  );

  return (
    <li className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900" data-testid="alert-rule">
      <div className="flex flex-wrap items-start gap-3">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <h3 className="font-medium">{rule.name}</h3>
            {!rule.enabled ? (
              <Badge>
                <BellOff className="h-3.5 w-3.5" aria-hidden />
                Off
              </Badge>
            ) : rule.openIncident ? (
              <Badge tone="red">
                <TriangleAlert className="h-3.5 w-3.5" aria-hidden />
                Alerting
              </Badge>
            ) : (
              <Badge tone="green">
                <CircleCheck className="h-3.5 w-3.5" aria-hidden />
                All good
              </Badge>
            )}
          </div>
          <p className="mt-0.5 text-sm text-slate-700 dark:text-slate-300">
            {showFlow && (
              <>
                <Link href={`/flows/${rule.flowId}/runs`} className="font-medium text-indigo-600 hover:underline dark:text-indigo-400">
                  {rule.flowName}
                </Link>
                {' · '}
              </>
            )}
            {describeCondition(rule.condition)}
          </p>
          <p className="text-sm text-slate-500 dark:text-slate-400">{describeDelivery(rule.delivery, credentialName)}</p>
          {rule.openIncident && (
            <p className="mt-2 rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800 dark:bg-rose-950 dark:text-rose-200">
              Since {formatDateTime(rule.openIncident.openedAt)}: {rule.openIncident.summary}
            </p>
          )}
        </div>
        {canEdit && (
          <div className="flex flex-wrap items-center gap-1">
            <Switch checked={rule.enabled} onChange={(enabled) => toggle.mutate({ id: rule.id, enabled })} label="Active" disabled={toggle.isPending} />
            <Button size="sm" variant="ghost" onClick={() => test.mutate({ ruleId: rule.id })} disabled={test.isPending}>
              <Send className="h-4 w-4" aria-hidden />
              {test.isPending ? 'Sending…' : 'Send test'}
            </Button>
            <Button size="sm" variant="ghost" onClick={onEdit}>
              <Pencil className="h-4 w-4" aria-hidden />
              Change
            </Button>
            <Button size="icon" variant="ghost" aria-label={`Delete ${rule.name}`} onClick={() => setConfirmDelete(true)}>
              <Trash2 className="h-4 w-4" aria-hidden />
            </Button>
          </div>
        )}
      </div>
      <Dialog
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={`Delete “${rule.name}”?`}
        description="Nobody will be told any more when this flow fails. The history of its alerts is deleted too."
        footer={
          <>
            <Button onClick={() => setConfirmDelete(false)}>Keep it</Button>
            <Button variant="danger" onClick={() => remove.mutate({ id: rule.id })} disabled={remove.isPending}>
              {remove.isPending ? 'Deleting…' : 'Delete rule'}
            </Button>
          </>
        }
      />
    </li>
  );
}

function IncidentHistory({ flowId }: { flowId?: string }) {
  const trpc = useTRPC();
  const [state, setState] = useState<'all' | 'open' | 'resolved'>('all');
  const client = useTRPCClient();
  const input = { state, limit: 20, ...(flowId ? { flowId } : {}) };
  // Paged by hand: infiniteQueryOptions adds a `direction` field the strict input refuses.
  const incidents = useInfiniteQuery({
    queryKey: [...trpc.monitoring.alertIncidents.pathKey(), { input, type: 'infinite' }],
    queryFn: ({ pageParam, signal }) => client.monitoring.alertIncidents.query({ ...input, cursor: pageParam }, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (p) => p.nextCursor ?? undefined,
    refetchInterval: 30_000,
  });
  const items = incidents.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="alert-history-title">
      <div className="mb-3 flex flex-wrap items-end gap-3">
        <div className="mr-auto">
          <h2 id="alert-history-title" className="text-lg font-semibold">
            Alert history
          </h2>
          <p className="text-sm text-slate-600 dark:text-slate-400">Each time a rule started alerting, whether people were told, and when it was over.</p>
        </div>
        <div className="w-44">
          <Select value={state} onChange={(e) => setState(e.target.value as typeof state)} aria-label="Which alerts to show">
          <option value="all">All alerts</option>
          <option value="open">Still alerting</option>
          <option value="resolved">Over</option>
          </Select>
        </div>
      </div>
      {incidents.isPending && <PageSpinner label="Loading the history…" />}
      {incidents.isError && <ErrorNotice title="The alert history could not be loaded." error={incidents.error} />}
      {incidents.isSuccess && items.length === 0 && (
        <p className="rounded-xl border border-dashed border-slate-300 p-6 text-center text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400" data-testid="incidents-empty">
          {state === 'open' ? 'Nothing is alerting right now.' : 'No alert has fired yet. When one does, it is listed here.'}
        </p>
      )}
      {items.length > 0 && (
        <ul className="divide-y divide-slate-100 overflow-hidden rounded-xl border border-slate-200 bg-white dark:divide-slate-800 dark:border-slate-800 dark:bg-slate-900" data-testid="incidents">
          {items.map((i) => (
            <IncidentRow key={i.id} incident={i} />
          ))}
        </ul>
      )}
      {incidents.hasNextPage && (
        <div className="mt-3 flex justify-center">
          <Button onClick={() => void incidents.fetchNextPage()} disabled={incidents.isFetchingNextPage}>
            {incidents.isFetchingNextPage ? 'Loading…' : 'Show older alerts'}
          </Button>
        </div>
      )}
    </section>
  );
}

function IncidentRow({ incident: i }: { incident: AlertIncident }) {
  const open = i.resolvedAt === null;
  return (
    <li className="flex gap-3 px-4 py-3 text-sm" data-testid="incident">
      {open ? <TriangleAlert className="mt-0.5 h-4 w-4 shrink-0 text-rose-600" aria-hidden /> : <CircleCheck className="mt-0.5 h-4 w-4 shrink-0 text-emerald-600" aria-hidden />}
      <div className="min-w-0 flex-1">
        <p>
          <span className="font-medium">{i.ruleName}</span> · <Link href={`/flows/${i.flowId}/runs`} className="text-indigo-600 hover:underline dark:text-indigo-400">{i.flowName}</Link>{' '}
          {open ? <Badge tone="red">Still alerting</Badge> : <Badge tone="green">Over</Badge>}
        </p>
        <p className="mt-0.5 text-slate-700 dark:text-slate-300">{i.summary}</p>
        <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          Started <time title={formatDateTime(i.openedAt)}>{formatRelative(i.openedAt)}</time>
          {i.notifiedAt ? ` · people were told ${formatRelative(i.notifiedAt)}` : ''}
          {i.resolvedAt && (
            <>
              {' '}
              · over <time title={formatDateTime(i.resolvedAt)}>{formatRelative(i.resolvedAt)}</time>
              {i.resolvedSummary ? `: ${i.resolvedSummary}` : ''}
              {i.resolveNotifiedAt ? ' (told)' : ''}
            </>
          )}
        </p>
        {i.deliveryError && (
          <p className="mt-1 flex items-start gap-1.5 text-xs text-rose-700 dark:text-rose-400">
            <CircleX className="mt-0.5 h-3.5 w-3.5 shrink-0" aria-hidden />
            The alert could not be delivered: {deliveryErrorText(i.deliveryError)}
          </p>
        )}
      </div>
    </li>
  );
}
