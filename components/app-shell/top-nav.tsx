'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { Feather } from 'lucide-react';
import type { AccountInfo } from '../auth/account-context';
import { AccountMenu, WorkspaceSwitcher } from './workspace-switcher';
import { NavItem } from './nav-item';

const links = [
  { href: '/flows', label: 'Flows' },
  { href: '/runs', label: 'Runs' },
  { href: '/dashboard', label: 'Dashboard' },
  { href: '/templates', label: 'Templates' },
  { href: '/settings', label: 'Settings' },
];

function isCurrent(pathname: string, href: string): boolean {
  if (href === '/flows') return pathname === '/' || (pathname.startsWith('/flows') && !pathname.endsWith('/runs'));
  if (href === '/runs') return pathname.startsWith('/runs') || /^\/flows\/[^/]+\/runs/.test(pathname);
  return pathname.startsWith(href);
}

export function TopNav({ account }: { account: AccountInfo }) {
  const pathname = usePathname();
  return (
    <header className="flex h-12 shrink-0 items-center gap-6 border-b border-slate-200 bg-white px-4 dark:border-slate-800 dark:bg-slate-900">
      <Link href="/flows" className="flex items-center gap-2 rounded-md font-semibold tracking-tight">
        <span className="flex h-7 w-7 items-center justify-center rounded-lg bg-indigo-600 text-white">
          <Feather className="h-4 w-4" aria-hidden />
        </span>
        Muninn
      </Link>
      <nav aria-label="Main">
        <ul className="flex items-center gap-1">
          {links.map((l) => (
            <NavItem key={l.href} href={l.href} current={isCurrent(pathname, l.href)} className="rounded-md px-3 py-1.5">
              {l.label}
            </NavItem>
          ))}
        </ul>
      </nav>
      <div className="ml-auto flex items-center gap-1">
        <WorkspaceSwitcher account={account} />
        <AccountMenu account={account} />
      </div>
    </header>
  );
}
