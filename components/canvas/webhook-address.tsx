'use client';

import { useState } from 'react';
import { Check, Copy, Info } from 'lucide-react';
import { Button } from '../ui/button';
import { useEditorStore } from './store-context';

/** The address other systems call to start this flow, or how to get one. */
export function WebhookAddress({ nodeId }: { nodeId: string }) {
  const url = useEditorStore((s) => s.webhooks[nodeId]);
  const [copied, setCopied] = useState(false);

  if (!url) {
    return (
      <div className="flex gap-2 rounded-lg bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200" data-testid="webhook-url-missing">
        <Info className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
        Save the flow to get its address.
      </div>
    );
  }
  return (
    <div className="space-y-1.5">
      <p className="text-sm font-medium">Webhook address</p>
      <div className="flex items-center gap-1.5">
        <code className="min-w-0 flex-1 truncate rounded-lg border border-slate-200 bg-slate-50 px-2.5 py-1.5 font-mono text-xs dark:border-slate-800 dark:bg-slate-950" title={url} data-testid="webhook-url">
          {url}
        </code>
        <Button
          size="sm"
          onClick={() =>
            void navigator.clipboard?.writeText(url).then(() => {
              setCopied(true);
              window.setTimeout(() => setCopied(false), 1500);
            })
          }
        >
          {copied ? <Check className="h-3.5 w-3.5" aria-hidden /> : <Copy className="h-3.5 w-3.5" aria-hidden />}
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      <p className="text-xs text-slate-500">Send a JSON POST to this address. The flow must be active to accept it.</p>
    </div>
  );
}
