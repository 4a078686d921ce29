import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import '@xyflow/react/dist/style.css';
import './globals.css';
import { Providers } from '@/components/providers';
import { TopNav } from '@/components/app-shell/top-nav';
import { AccountProvider } from '@/components/auth/account-context';
import { isPublicPage, signInHref } from '@/components/auth/public-pages';
import { pageAccount } from '@/server/auth/page-session';

export const metadata: Metadata = {
  title: { default: 'Muninn', template: '%s · Muninn' },
  description: 'Connect your tools with calm, visual flows.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the request makes every page dynamic, which the per-request CSP nonce needs anyway (proxy.ts).
  const [cookieStore, headerList] = await Promise.all([cookies(), headers()]);
  const pathname = headerList.get('x-muninn-pathname') ?? '/';
  const account = await pageAccount((name) => cookieStore.get(name)?.value);
  const publicPage = isPublicPage(pathname);
  // proxy.ts only sees that a cookie exists; an expired or signed-out session ends up here.
  if (!account && !publicPage) redirect(signInHref(pathname));
  return (
    <html lang="en">
      <body>
        <Providers>
          <AccountProvider account={account}>
            <div className="flex h-dvh flex-col">
              {account && !publicPage && <TopNav account={account} />}
              <div className="min-h-0 flex-1">{children}</div>
            </div>
          </AccountProvider>
        </Providers>
      </body>
    </html>
  );
}
