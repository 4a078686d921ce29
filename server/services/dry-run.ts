import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { AppError, notFound } from '../errors';
import { getAgent } from '../agents/registry';
import type { AgentMemory, JsonObject, JsonValue } from '../agents/define-agent';
import { optionIssues } from '../engine/graph';
import { runAgent } from '../engine/run-agent';
import { nodeMemory } from './agent-memory';
import { agentDeps } from './steps';

export interface TestNodeInput {
  flowId?: string;
  node: { id: string; type: string; options: Record<string, unknown> };
  event: Record<string, unknown>;
}

function scratchMemory(): AgentMemory {
  let value: JsonValue | undefined;
  return {
    get: async <T extends JsonValue>() => value as T | undefined,
    set: async (v) => {
      value = v;
    },
  };
}

/**
 * "Test this node" (Huginn's dry run): runs one agent on a sample event. Nothing is saved, no
 * other node runs, memory writes stay in the test. Outgoing calls are real: that is the point.
 */
export async function testNode(workspaceId: string, input: TestNodeInput) {
  const agent = getAgent(input.node.type);
  if (!agent) throw new AppError('VALIDATION', `"${input.node.type}" is not a known agent type.`);
  if (!agent.capabilities.dryRun) throw new AppError('BAD_REQUEST', `${agent.name} cannot be tested on its own.`);
  const issues = optionIssues({ ...input.node, options: input.node.options as Record<string, never> });
  if (issues.length) throw new AppError('VALIDATION', issues.map((i) => i.message).join(' '), issues);
  if (input.flowId) {
    const flow = await db().flow.findFirst({ where: { id: input.flowId, workspaceId }, select: { id: true } });
    if (!flow) throw notFound('This flow');
  }
  const stepId = `test-${randomUUID()}`;
  const started = Date.now();
  const result = await runAgent(
    agent,
    input.node.options as JsonObject,
    input.event as JsonObject,
    { runId: stepId, nodeId: input.node.id, eventId: stepId, attempt: 1, idempotencyKey: stepId },
    agentDeps(workspaceId, stepId, input.flowId ? nodeMemory(workspaceId, input.flowId, input.node.id, true) : scratchMemory(), true),
  );
  const durationMs = Date.now() - started;
  return result.ok
    ? { ok: true as const, events: result.events, logs: result.logs, error: null, durationMs }
    : { ok: false as const, events: [], logs: result.logs, error: result.error, durationMs };
}

/** The input of this node in its latest run, to use as the sample event. */
export async function lastInputOfNode(workspaceId: string, flowId: string, nodeId: string): Promise<JsonObject | null> {
  const step = await db().nodeRun.findFirst({
    where: { workspaceId, nodeId, run: { flowId } },
    orderBy: { startedAt: 'desc' },
    select: { inputEventId: true },
  });
  if (!step) return null;
  const event = await db().event.findFirst({ where: { id: step.inputEventId, workspaceId }, select: { payload: true } });
  return (event?.payload ?? null) as JsonObject | null;
}
