import type { Metadata } from 'next';
import { FlowEditor } from '@/components/canvas/editor';

export const metadata: Metadata = { title: 'Editor' };

export default async function FlowEditorPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <FlowEditor flowId={id} />;
}
