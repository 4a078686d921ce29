import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import '@xyflow/react/dist/style.css';
import './globals.css';
import { Providers } from '@/components/providers';
import { TopNav } from '@/components/app-shell/top-nav';

export const metadata: Metadata = {
  title: { default: 'Muninn', template: '%s · Muninn' },
  description: 'Connect your tools with calm, visual flows.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <div className="flex h-dvh flex-col">
            <TopNav />
            <div className="min-h-0 flex-1">{children}</div>
          </div>
        </Providers>
      </body>
    </html>
  );
}
