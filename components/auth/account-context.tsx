'use client';

import { createContext, useContext, type ReactNode } from 'react';
import { can, type Capability, type Role } from './permissions';

export interface AccountInfo {
  user: { id: string; email: string; name: string };
  workspaces: Array<{ id: string; name: string; role: Role }>;
  activeWorkspaceId: string | null;
  role: Role | null;
}

const AccountContext = createContext<AccountInfo | null>(null);

/** The signed-in account, resolved by the root layout on the server. */
export function AccountProvider({ account, children }: { account: AccountInfo | null; children: ReactNode }) {
  return <AccountContext.Provider value={account}>{children}</AccountContext.Provider>;
}

export function useAccount(): AccountInfo | null {
  return useContext(AccountContext);
}

/** `useCan('edit')`: may the signed-in person do this in the active workspace? */
export function useCan(capability: Capability): boolean {
  return can(useContext(AccountContext)?.role, capability);
}
