'use client';

import { usePathname } from 'next/navigation';
import { BellRing, Building2, Database, KeyRound, LockKeyhole, ScrollText, Users } from 'lucide-react';
import { NavItem } from '../app-shell/nav-item';
import { useCan } from '../auth/account-context';

const items = [
  { href: '/settings/workspace', label: 'Workspace', icon: Building2, admin: false },
  { href: '/settings/members', label: 'Members', icon: Users, admin: false },
  { href: '/settings/credentials', label: 'Credentials', icon: LockKeyhole, admin: false },
  { href: '/settings/alerts', label: 'Alerts', icon: BellRing, admin: false },
  { href: '/settings/retention', label: 'Data retention', icon: Database, admin: false },
  { href: '/settings/tokens', label: 'API tokens', icon: KeyRound, admin: true },
  { href: '/settings/audit', label: 'Audit log', icon: ScrollText, admin: true },
];

export function SettingsNav() {
  const pathname = usePathname();
  const admin = useCan('manage');
  return (
    <nav aria-label="Settings" className="w-full shrink-0 md:w-48">
      <ul className="flex gap-1 overflow-x-auto md:flex-col">
        {items
          .filter((i) => admin || !i.admin)
          .map((i) => (
            <NavItem key={i.href} href={i.href} current={pathname.startsWith(i.href)} icon={i.icon} className="rounded-lg px-3 py-2 whitespace-nowrap">
              {i.label}
            </NavItem>
          ))}
      </ul>
    </nav>
  );
}

/** For pages a role may not use: says so, instead of an error. */
export function NeedsRole({ what }: { what: string }) {
  return (
    <p className="rounded-xl border border-slate-200 bg-slate-50 p-4 text-sm text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400" data-testid="needs-role">
      {what} Ask an admin of this workspace if you need access.
    </p>
  );
}
