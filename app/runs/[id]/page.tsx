import type { Metadata } from 'next';
import { RunDetail } from '@/components/runs/run-detail';

export const metadata: Metadata = { title: 'Run' };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // Wider than the other pages: the timeline and the flow drawing need the room.
  return (
    <main className="h-full overflow-y-auto">
      <div className="mx-auto max-w-6xl px-6 py-8">
        <RunDetail runId={id} />
      </div>
    </main>
  );
}
