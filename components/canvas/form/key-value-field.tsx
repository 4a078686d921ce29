'use client';

import { useState } from 'react';
import { Plus, X } from 'lucide-react';
import { Button } from '../../ui/button';
import { Input } from '../../ui/input';

interface Row {
  id: number;
  key: string;
  value: string;
}

interface KeyValueFieldProps {
  label: string;
  value: unknown;
  onChange: (value: Record<string, string> | undefined) => void;
  testId: string;
}

function rowsOf(value: unknown): Array<Omit<Row, 'id'>> {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: typeof v === 'string' ? v : JSON.stringify(v) }));
}

/** Name/value pairs such as HTTP headers. Rows with an empty name are kept on screen but not saved. */
export function KeyValueField({ label, value, onChange, testId }: KeyValueFieldProps) {
  const [rows, setRows] = useState<Row[]>(() => rowsOf(value).map((r, i) => ({ ...r, id: i })));
  const nextId = rows.reduce((max, r) => Math.max(max, r.id + 1), 0);

  function commit(next: Row[]) {
    setRows(next);
    const entries = next.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value] as const);
    onChange(entries.length ? Object.fromEntries(entries) : undefined);
  }

  const update = (id: number, patch: Partial<Row>) => commit(rows.map((r) => (r.id === id ? { ...r, ...patch } : r)));
  const names = rows.map((r) => r.key.trim().toLowerCase()).filter(Boolean);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);

  return (
    <div className="space-y-2" data-testid={testId}>
      {rows.length === 0 && <p className="text-xs text-slate-500">None yet.</p>}
      {rows.map((row, i) => (
        <div key={row.id} className="flex items-center gap-1.5">
          <Input
            aria-label={`${label} ${i + 1}: name`}
            placeholder="Name"
            value={row.key}
            onChange={(e) => update(row.id, { key: e.target.value })}
            className="w-2/5"
            data-testid={`${testId}.${i}.key`}
          />
          <Input
            aria-label={`${label} ${i + 1}: value`}
            placeholder="Value"
            value={row.value}
            onChange={(e) => update(row.id, { value: e.target.value })}
            data-testid={`${testId}.${i}.value`}
          />
          <Button variant="ghost" size="icon" aria-label={`Remove ${label.toLowerCase()} ${i + 1}`} onClick={() => commit(rows.filter((r) => r.id !== row.id))}>
            <X className="h-4 w-4" aria-hidden />
          </Button>
        </div>
      ))}
      {duplicate && <p className="text-xs text-amber-700 dark:text-amber-400">Two entries are called “{duplicate}”; only the last one is used.</p>}
      <Button size="sm" onClick={() => setRows([...rows, { id: nextId, key: '', value: '' }])}>
        <Plus className="h-3.5 w-3.5" aria-hidden />
        Add
      </Button>
    </div>
  );
}
