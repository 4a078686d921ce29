import Link from 'next/link';
import type { ComponentType, ReactNode } from 'react';
import { cn } from '../ui/cn';

/**
 * One link of a navigation list (the top bar, the settings side bar): the same active look and
 * `aria-current` everywhere, so people and screen readers learn one way of saying "you are here".
 */
export function NavItem({
  href,
  current,
  icon: Icon,
  className,
  children,
}: {
  href: string;
  current: boolean;
  icon?: ComponentType<{ className?: string; 'aria-hidden'?: boolean }>;
  /** Shape and spacing of the link, which differ between a bar and a side list. */
  className?: string;
  children: ReactNode;
}) {
  return (
    <li>
      <Link
        href={href}
        aria-current={current ? 'page' : undefined}
        className={cn(
          'text-sm font-medium transition-colors',
          Icon && 'flex items-center gap-2',
          current
            ? 'bg-indigo-50 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300'
            : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-slate-100',
          className,
        )}
      >
        {Icon && <Icon className="h-4 w-4" aria-hidden />}
        {children}
      </Link>
    </li>
  );
}
