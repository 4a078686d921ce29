import { db, type Tx } from '../db';
import type { AgentMemory, JsonValue } from '../agents/define-agent';
import type { Prisma } from '../generated/prisma/client';

/**
 * Per-node memory. In a dry run ("Test this node") reads see the real memory but writes stay in
 * the test, so trying a node never changes what the running flow remembers.
 */
export function nodeMemory(workspaceId: string, flowId: string, nodeId: string, dryRun: boolean, client: Tx = db()): AgentMemory {
  let local: { value: JsonValue | undefined } | undefined;
  return {
    async get<T extends JsonValue>() {
      if (local) return local.value as T | undefined;
      const row = await client.agentMemory.findUnique({ where: { flowId_nodeId: { flowId, nodeId } }, select: { data: true } });
      return (row?.data ?? undefined) as T | undefined;
    },
    async set(value: JsonValue) {
      if (dryRun) {
        local = { value };
        return;
      }
      const data = value as Prisma.InputJsonValue;
      await client.agentMemory.upsert({
        where: { flowId_nodeId: { flowId, nodeId } },
        update: { data },
        create: { flowId, nodeId, workspaceId, data },
      });
    },
  };
}
