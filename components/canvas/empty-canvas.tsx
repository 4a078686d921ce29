import { MousePointerClick } from 'lucide-react';

/** Shown over an empty canvas; lets drops and clicks pass through to it. */
export function EmptyCanvas() {
  return (
    <div className="pointer-events-none absolute inset-0 flex items-center justify-center p-8" data-testid="canvas-empty">
      <div className="max-w-sm rounded-2xl border-2 border-dashed border-slate-300 bg-white/80 px-8 py-10 text-center shadow-sm backdrop-blur-sm dark:border-slate-700 dark:bg-slate-900/80">
        <MousePointerClick className="mx-auto mb-3 h-8 w-8 text-indigo-500" aria-hidden />
        <p className="font-medium">Drag a trigger here to begin</p>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
          Pick <strong>Manual trigger</strong> to start runs with the Run button, or <strong>Webhook</strong> to start them when
          another system sends data. Then add the steps that follow — or click an item in the list to add it.
        </p>
      </div>
    </div>
  );
}
