'use client';

import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { CircleAlert, CircleCheck, Info, X } from 'lucide-react';
import { cn } from './cn';

export type ToastTone = 'info' | 'success' | 'error';

export interface ToastOptions {
  message: string;
  tone?: ToastTone;
  /** e.g. { label: 'Undo', onClick } — the toast closes after the action runs. */
  action?: { label: string; onClick: () => void };
  /** Milliseconds; toasts with an action stay longer by default. */
  duration?: number;
}

interface ToastItem extends ToastOptions {
  id: number;
}

interface ToastApi {
  show: (options: ToastOptions) => number;
  dismiss: (id: number) => void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error('useToast must be used inside <ToastProvider>');
  return api;
}

const icons = { info: Info, success: CircleCheck, error: CircleAlert } as const;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);

  const show = useCallback(
    (options: ToastOptions) => {
      const id = nextId.current++;
      setToasts((list) => [...list.slice(-3), { ...options, id }]);
      const duration = options.duration ?? (options.action ? 8000 : options.tone === 'error' ? 7000 : 4000);
      window.setTimeout(() => dismiss(id), duration);
      return id;
    },
    [dismiss],
  );

  const api = useMemo(() => ({ show, dismiss }), [show, dismiss]);

  return (
    <ToastContext.Provider value={api}>
      {children}
      {/* Top centre, under the bars: at the bottom or the sides, toasts covered the editor's panels. */}
      <div aria-live="polite" className="pointer-events-none fixed top-14 left-1/2 z-50 flex w-[28rem] max-w-[calc(100vw-2rem)] -translate-x-1/2 flex-col gap-2">
        {toasts.map((t) => {
          const tone = t.tone ?? 'info';
          const Icon = icons[tone];
          return (
            <div
              key={t.id}
              role={tone === 'error' ? 'alert' : 'status'}
              data-testid="toast"
              className="pointer-events-auto flex items-start gap-3 rounded-xl border border-slate-200 bg-white px-4 py-3 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900"
            >
              <Icon
                aria-hidden
                className={cn(
                  'mt-0.5 h-4 w-4 shrink-0',
                  tone === 'error' && 'text-rose-600',
                  tone === 'success' && 'text-emerald-600',
                  tone === 'info' && 'text-indigo-600',
                )}
              />
              <p className="flex-1 text-slate-800 dark:text-slate-100">{t.message}</p>
              {t.action && (
                <button
                  type="button"
                  className="font-semibold text-indigo-600 hover:underline dark:text-indigo-400"
                  onClick={() => {
                    t.action?.onClick();
                    dismiss(t.id);
                  }}
                >
                  {t.action.label}
                </button>
              )}
              <button
                type="button"
                aria-label="Dismiss"
                className="text-slate-400 hover:text-slate-600 dark:hover:text-slate-200"
                onClick={() => dismiss(t.id)}
              >
                <X className="h-4 w-4" aria-hidden />
              </button>
            </div>
          );
        })}
      </div>
    </ToastContext.Provider>
  );
}
