/** Palette order of categories, and the colour that marks each on the canvas. */
export const categoryOrder = ['Triggers', 'HTTP', 'Shape data', 'Decide', 'Memory', 'Time', 'Code', 'Notify', 'Apps'] as const;

interface CategoryStyle {
  /** Icon chip: background and foreground. */
  chip: string;
  /** MiniMap fill. */
  color: string;
}

const styles: Record<string, CategoryStyle> = {
  Triggers: { chip: 'bg-emerald-100 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300', color: '#10b981' },
  HTTP: { chip: 'bg-sky-100 text-sky-700 dark:bg-sky-950 dark:text-sky-300', color: '#0ea5e9' },
  'Shape data': { chip: 'bg-violet-100 text-violet-700 dark:bg-violet-950 dark:text-violet-300', color: '#8b5cf6' },
  Decide: { chip: 'bg-amber-100 text-amber-700 dark:bg-amber-950 dark:text-amber-300', color: '#f59e0b' },
  Memory: { chip: 'bg-teal-100 text-teal-700 dark:bg-teal-950 dark:text-teal-300', color: '#14b8a6' },
  Time: { chip: 'bg-orange-100 text-orange-700 dark:bg-orange-950 dark:text-orange-300', color: '#f97316' },
  Code: { chip: 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300', color: '#64748b' },
  Notify: { chip: 'bg-rose-100 text-rose-700 dark:bg-rose-950 dark:text-rose-300', color: '#f43f5e' },
  Apps: { chip: 'bg-indigo-100 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300', color: '#6366f1' },
};

const fallback: CategoryStyle = styles.Code as CategoryStyle;

export function categoryStyle(category: string | undefined): CategoryStyle {
  return (category && styles[category]) || fallback;
}
