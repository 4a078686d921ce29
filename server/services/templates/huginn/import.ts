import dagre from '@dagrejs/dagre';
import { z } from 'zod';
import { db } from '../../../db';
import { AppError, type FieldIssue } from '../../../errors';
import { getAgent } from '../../../agents/registry';
import { findCycle, validateGraph, type FlowEdge, type FlowGraph, type FlowNode } from '../../../engine/graph';
import { createCredential, deleteCredential } from '../../credentials';
import { createFlow } from '../../flows';
import { credentialTypeName } from '../format';
import { liquidProblems } from './liquid';
import { mappers, placeholderFor, type CredentialNeed, type MapContext, type MappedAgent, type MappingStatus } from './agents';
import { mapHuginnSchedule } from './schedule';
import { boolish, huginnScenarioSchema, shortType, type HuginnScenario } from './scenario';

export interface HuginnAgentReport {
  /** Position of the agent in the scenario's `agents` list. */
  index: number;
  name: string;
  /** e.g. "WebsiteAgent" */
  huginnType: string;
  /** The main Muninn agent type it became ("placeholder" when it could not be translated). */
  muninnType: string;
  /** Every agent type among its nodes, in order, e.g. ["schedule", "http_request", "split", "transform"]. */
  muninnTypes: string[];
  nodeIds: string[];
  /** mapped: same behaviour; approximated: works, but differs as the notes say; needs_attention: fix before relying on it. */
  status: MappingStatus;
  notes: string[];
}

export interface HuginnImportReport {
  scenario: string;
  agents: HuginnAgentReport[];
  /** Scenario-wide remarks (links dropped, loops broken, control links…). */
  warnings: string[];
  /** Credentials created from values found in the scenario (e.g. Slack webhook URLs). Names only. */
  credentialsCreated: Array<{ id: string; name: string; type: string }>;
  /** Credentials that still have to be chosen in the flow: node, accepted kinds. */
  credentialsToChoose: Array<{ nodeId: string; agent: string; types: string[]; why: string }>;
  summary: { agents: number; mapped: number; approximated: number; needsAttention: number; nodes: number; edges: number };
}

export interface ConvertedScenario {
  flow: { name: string; description: string; nodes: FlowNode[]; edges: FlowEdge[] };
  report: HuginnImportReport;
  /** Credential placeholders (`$credential:<key>`) left in the graph, for the caller to resolve. */
  credentialNeeds: CredentialNeed[];
}

function readScenario(json: unknown): HuginnScenario {
  const parsed = huginnScenarioSchema.safeParse(json);
  if (!parsed.success) {
    const issues: FieldIssue[] = parsed.error.issues.map((i) => ({ field: i.path.join('.') || undefined, message: `${i.path.join('.') || 'scenario'}: ${i.message}` }));
    throw new AppError('VALIDATION', `This is not a Huginn scenario export. ${issues.slice(0, 3).map((i) => i.message).join('; ')}`, issues);
  }
  const s = parsed.data;
  const bad = [...s.links.flatMap((l) => [l.source, l.receiver]), ...s.control_links.flatMap((l) => [l.controller, l.control_target])].find((i) => i >= s.agents.length);
  if (bad !== undefined) throw new AppError('VALIDATION', `A link refers to agent number ${bad}, but the scenario has only ${s.agents.length} agents.`);
  return s;
}

function slug(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'agent'
  );
}

function layout(graph: FlowGraph): void {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 60, ranksep: 90 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.id, { width: 220, height: 80 });
  for (const e of graph.edges) g.setEdge(e.source, e.target);
  dagre.layout(g);
  for (const n of graph.nodes) {
    const p = g.node(n.id) as { x: number; y: number } | undefined;
    if (p) n.position = { x: Math.round(p.x - 110), y: Math.round(p.y - 40) };
  }
}

/**
 * Translates a Huginn scenario into a Muninn flow, without touching the database. Credentials the
 * nodes need are left as `$credential:<key>` placeholders and listed in `credentialNeeds`.
 */
export function convertHuginnScenario(json: unknown): ConvertedScenario {
  const scenario = readScenario(json);
  const nodes: FlowNode[] = [];
  const edges: FlowEdge[] = [];
  const warnings: string[] = [];
  const usedIds = new Set<string>();
  const credentialNeeds: CredentialNeed[] = [];
  const incoming = new Set(scenario.links.map((l) => l.receiver));
  const outgoing = new Set(scenario.links.map((l) => l.source));
  const controlled = new Set(scenario.control_links.map((l) => l.control_target));
  const mapped: MappedAgent[] = [];
  const reports: HuginnAgentReport[] = [];

  scenario.agents.forEach((agent, index) => {
    const base = slug(agent.name?.trim() || shortType(agent.type));
    const ctx: MapContext = {
      agent,
      index,
      options: (agent.options ?? {}) as Record<string, unknown>,
      hasIncoming: incoming.has(index),
      hasOutgoing: outgoing.has(index),
      id(suffix) {
        const wanted = suffix ? `${base}-${suffix}` : base;
        let id = wanted;
        for (let i = 2; usedIds.has(id); i++) id = `${wanted}-${i}`;
        usedIds.add(id);
        return id;
      },
      credential(need) {
        const key = `huginn_${credentialNeeds.length + 1}`;
        credentialNeeds.push({ ...need, key, agentIndex: index });
        return `$credential:${key}`;
      },
    };
    const huginnType = shortType(agent.type);
    const mapper = mappers[huginnType];
    let result = mapper
      ? mapper(ctx)
      : placeholderFor(ctx, `Muninn has no ${huginnType}. Rebuild what it did with the nodes you have (for example HTTP request for web APIs), connect them the same way, then delete this node.`);
    // A mapper may produce a type this instance does not have (e.g. an app agent not installed yet).
    if (result.nodes.some((n) => !getAgent(n.type))) {
      const missing = result.nodes.filter((n) => !getAgent(n.type)).map((n) => n.type);
      for (const n of result.nodes) usedIds.delete(n.id);
      result = placeholderFor(ctx, `The ${missing.join(', ')} agent is not available on this Muninn instance.`);
    }
    const notes = [...result.notes];
    let status = result.status;
    // Liquid that Muninn's engine cannot render would fail at run time.
    for (const n of result.nodes) {
      const agentDef = getAgent(n.type);
      if (!agentDef || n.type === 'placeholder') continue;
      const rendered = Object.fromEntries(Object.entries(n.options).filter(([k]) => !(agentDef.rawOptions ?? []).includes(k)));
      const problems = liquidProblems(rendered);
      if (problems.length) {
        notes.push(`Liquid that Muninn does not understand in ${n.label ?? n.id}: ${problems.join('; ')}. Huginn has extra filters and tags; rewrite these parts.`);
        status = 'needs_attention';
      }
    }
    if (boolish(agent.disabled)) {
      notes.push('This agent was disabled in Huginn. Muninn has no per-node switch: delete the nodes if you do not want them to run.');
      status = 'needs_attention';
    }
    // Agents that fetch on their schedule get a Schedule node in front of them.
    if (result.polls && !controlled.has(index)) {
      const sched = mapHuginnSchedule(agent.schedule);
      if (sched && 'unknown' in sched) {
        notes.push(`The schedule "${sched.unknown}" is not known; no Schedule node was added.`);
        status = 'needs_attention';
      } else if (sched && result.entry) {
        const sid = ctx.id('schedule');
        result.nodes.unshift({ id: sid, type: 'schedule', label: `${agent.name?.trim() || huginnType} (schedule)`.slice(0, 200), options: sched.options });
        result.edges.unshift({ source: sid, target: result.entry });
        notes.push(`Runs ${sched.label} through a Schedule node (Huginn schedule "${agent.schedule}").`, ...sched.notes);
      } else if (!sched && !incoming.has(index)) {
        notes.push('Huginn never ran this agent on a schedule and nothing feeds it; connect a trigger to it.');
      }
    } else if (agent.schedule && agent.schedule !== 'never' && !result.polls && !['DelayAgent', 'DigestAgent', 'EmailDigestAgent', 'SchedulerAgent'].includes(huginnType) && result.entry) {
      notes.push(`Its Huginn schedule "${agent.schedule}" was not carried over (this kind of agent reacts to events in Muninn).`);
    }
    mapped.push(result);
    nodes.push(...result.nodes);
    edges.push(...result.edges);
    reports.push({
      index,
      name: agent.name?.trim() || huginnType,
      huginnType,
      muninnType: mainType(result, huginnType),
      muninnTypes: result.nodes.map((n) => n.type),
      nodeIds: result.nodes.map((n) => n.id),
      status,
      notes,
    });
  });

  const seen = new Set<string>();
  const addEdge = (source: string, target: string) => {
    const key = `${source}\u0000${target}`;
    if (source === target || seen.has(key)) return;
    seen.add(key);
    edges.push({ source, target });
  };
  for (const e of edges) seen.add(`${e.source}\u0000${e.target}`);
  for (const link of scenario.links) {
    const from = mapped[link.source]!;
    const to = mapped[link.receiver]!;
    const fromName = reports[link.source]!.name;
    const toName = reports[link.receiver]!.name;
    if (!from.exit) {
      warnings.push(`The link from "${fromName}" to "${toName}" was dropped: "${fromName}" emits nothing in Muninn.`);
      continue;
    }
    if (!to.entry) {
      warnings.push(`The link from "${fromName}" to "${toName}" was dropped: "${toName}" is a trigger in Muninn and cannot receive events.`);
      continue;
    }
    addEdge(from.exit, to.entry);
  }
  for (const link of scenario.control_links) {
    const controller = scenario.agents[link.controller]!;
    const from = mapped[link.controller]!;
    const to = mapped[link.control_target]!;
    if (shortType(controller.type) === 'SchedulerAgent' && from.nodes[0]?.type === 'schedule' && to.entry) {
      addEdge(from.exit!, to.entry);
    } else {
      warnings.push(`The control link from "${reports[link.controller]!.name}" to "${reports[link.control_target]!.name}" was dropped: Muninn agents do not control each other.`);
    }
  }

  const graph: FlowGraph = { nodes, edges };
  for (let guard = 0; guard < 50; guard++) {
    const cycle = findCycle(graph);
    if (!cycle || cycle.every((id) => getAgent(nodes.find((n) => n.id === id)!.type)?.capabilities.loopSafe)) break;
    const [a, b] = [cycle[cycle.length - 1]!, cycle[0]!];
    graph.edges = graph.edges.filter((e) => !(e.source === a && e.target === b));
    warnings.push(`The agents formed a loop (${[...cycle, cycle[0]].join(' → ')}); the connection ${a} → ${b} was removed, since events would circle forever.`);
  }
  layout(graph);

  const summary = {
    agents: reports.length,
    mapped: reports.filter((r) => r.status === 'mapped').length,
    approximated: reports.filter((r) => r.status === 'approximated').length,
    needsAttention: reports.filter((r) => r.status === 'needs_attention').length,
    nodes: graph.nodes.length,
    edges: graph.edges.length,
  };
  const name = (scenario.name?.trim() || 'Imported Huginn scenario').slice(0, 200);
  const description = `${scenario.description?.trim() ? `${scenario.description.trim()}\n\n` : ''}Imported from Huginn: ${summary.mapped} agents mapped, ${summary.approximated} approximated, ${summary.needsAttention} need attention.`.slice(0, 5_000);
  return {
    flow: { name, description, nodes: graph.nodes, edges: graph.edges },
    report: { scenario: name, agents: reports, warnings, credentialsCreated: [], credentialsToChoose: [], summary },
    credentialNeeds,
  };
}

function mainType(result: MappedAgent, huginnType: string): string {
  const types = result.nodes.map((n) => n.type).filter((t) => t !== 'schedule' || huginnType === 'SchedulerAgent');
  if (types.includes('placeholder') && !types.some((t) => !['placeholder', 'schedule'].includes(t))) return 'placeholder';
  return types.find((t) => t !== 'placeholder') ?? result.nodes[0]?.type ?? 'placeholder';
}

export const importHuginnInput = z.object({
  scenario: z.unknown(),
  /** Flow name; by default the scenario's. */
  name: z.string().trim().min(1).max(200).optional(),
  /** Credentials to use, by credential type, e.g. { "smtp": "<credential id>" }. */
  credentials: z.record(z.string(), z.string()).default({}),
});
export type ImportHuginnInput = z.input<typeof importHuginnInput>;

/**
 * Imports a Huginn scenario as a new flow, switched off. Credential values found in the scenario
 * (Slack webhook URLs) become credentials of this workspace; other credentials come from
 * `credentials` (by type), else the workspace's only credential of the right type, else they are
 * listed in the report for the user to choose.
 */
export async function importHuginnScenario(
  workspaceId: string,
  scenarioOrInput: unknown,
  opts: { name?: string; credentials?: Record<string, string> } = {},
  createdBy?: string,
): Promise<{ id: string; version: number; report: HuginnImportReport }> {
  const converted = convertHuginnScenario(scenarioOrInput);
  const { flow, report, credentialNeeds } = converted;

  // Checked before anything is created (credential placeholders are valid option strings).
  const issues = validateGraph({ nodes: flow.nodes, edges: flow.edges });
  if (issues.length) {
    throw new AppError('VALIDATION', `The scenario could not be turned into a valid flow. ${issues.slice(0, 3).map((i) => i.message).join(' ')}`, issues);
  }

  const wanted = opts.credentials ?? {};
  const givenIds = Object.values(wanted).filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const own = await db().credential.findMany({ where: { workspaceId }, select: { id: true, name: true, type: true }, orderBy: { name: 'asc' } });
  const given = new Map(own.filter((c) => givenIds.includes(c.id)).map((c) => [c.id, c]));
  for (const [type, id] of Object.entries(wanted)) {
    const c = given.get(id);
    if (!c) throw new AppError('VALIDATION', `The credential given for ${credentialTypeName(type)} was not found in this workspace.`, [{ field: `credentials.${type}`, message: 'Not found' }]);
    if (c.type !== type) throw new AppError('VALIDATION', `The credential given for ${credentialTypeName(type)} is a ${credentialTypeName(c.type)}.`, [{ field: `credentials.${type}`, message: 'Wrong kind of credential' }]);
  }

  const resolved = new Map<string, string>();
  const created: Array<{ id: string; name: string; type: string }> = [];
  const createdByData = new Map<string, string>();
  const taken = new Set(own.map((c) => c.name));
  try {
    for (const need of credentialNeeds) {
      const agentReport = report.agents[need.agentIndex]!;
      if (need.create) {
        const dataKey = `${need.create.type}\u0000${JSON.stringify(need.create.data)}`;
        let id = createdByData.get(dataKey);
        if (!id) {
          let name = need.create.name.slice(0, 90);
          for (let i = 2; taken.has(name); i++) name = `${need.create.name.slice(0, 85)} (${i})`;
          taken.add(name);
          ({ id } = await createCredential(workspaceId, { type: need.create.type, name, data: need.create.data }));
          createdByData.set(dataKey, id);
          created.push({ id, name, type: need.create.type });
          agentReport.notes.push(`Created the credential '${name}'.`);
        }
        resolved.set(need.key, id);
        continue;
      }
      const byType = need.types.map((t) => wanted[t]).find(Boolean);
      if (byType) {
        resolved.set(need.key, byType);
        continue;
      }
      const candidates = own.filter((c) => need.types.includes(c.type));
      if (candidates.length === 1) {
        resolved.set(need.key, candidates[0]!.id);
        agentReport.notes.push(`Uses the credential '${candidates[0]!.name}', the only ${need.types.map(credentialTypeName).join(' / ')} credential of this workspace.`);
        continue;
      }
      agentReport.status = 'needs_attention';
      agentReport.notes.push(
        `Choose a ${need.types.map(credentialTypeName).join(' or ')} credential in the node's settings${candidates.length ? ` (this workspace has ${candidates.length})` : ' (create one under Credentials first)'}: ${need.why}.`,
      );
    }

    const nodes = flow.nodes.map((n) => {
      const opts2 = { ...n.options };
      for (const [k, v] of Object.entries(opts2)) {
        if (typeof v === 'string' && v.startsWith('$credential:')) {
          const id = resolved.get(v.slice('$credential:'.length));
          if (id) opts2[k] = id;
          else {
            const need = credentialNeeds.find((c) => `$credential:${c.key}` === v)!;
            report.credentialsToChoose.push({ nodeId: n.id, agent: report.agents[need.agentIndex]!.name, types: need.types, why: need.why });
          }
        }
      }
      return { ...n, options: opts2 };
    });
    report.credentialsCreated = created;
    report.summary = {
      ...report.summary,
      mapped: report.agents.filter((r) => r.status === 'mapped').length,
      approximated: report.agents.filter((r) => r.status === 'approximated').length,
      needsAttention: report.agents.filter((r) => r.status === 'needs_attention').length,
    };
    const made = await createFlow(
      workspaceId,
      { name: opts.name?.trim() || flow.name, description: flow.description, graph: { nodes, edges: flow.edges }, active: false },
      createdBy,
    );
    return { ...made, report };
  } catch (e) {
    // Do not leave credentials behind for a flow that was not created.
    for (const c of created) await deleteCredential(workspaceId, c.id).catch(() => undefined);
    throw e;
  }
}
