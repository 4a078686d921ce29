import type { z } from 'zod';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const agentCategories = [
  'Triggers',
  'HTTP',
  'Shape data',
  'Decide',
  'Memory',
  'Time',
  'Code',
  'Notify',
  'Apps',
] as const;
export type AgentCategory = (typeof agentCategories)[number];

export interface AgentLogger {
  info(message: string, data?: JsonValue): void;
  warn(message: string, data?: JsonValue): void;
  error(message: string, data?: JsonValue): void;
}

/** Per-node persistent state (dedup keys, cursors). Agents never see Prisma. */
export interface AgentMemory {
  get<T extends JsonValue = JsonValue>(): Promise<T | undefined>;
  set(value: JsonValue): Promise<void>;
}

/** Decrypted credential values, looked up by the credential id chosen in the node's options. */
export interface AgentCredentials {
  get(credentialId: string): Promise<{ type: string; name: string; data: Record<string, string> }>;
}

export interface AgentHttp {
  /** fetch() with the SSRF guard, a timeout and the step's Idempotency-Key header. */
  fetch(url: string, init?: RequestInit): Promise<Response>;
}

export interface StepIdentity {
  runId: string;
  nodeId: string;
  eventId: string;
  attempt: number;
  /** Stable for the step across retries and redeliveries; sent as Idempotency-Key. */
  idempotencyKey: string;
}

export interface AgentContext<Options> {
  /** Options after Liquid rendering against the incoming event, validated by the agent's schema. */
  options: Options;
  /** The incoming event (for triggers: the trigger payload). */
  event: JsonObject;
  log: AgentLogger;
  http: AgentHttp;
  memory: AgentMemory;
  credentials: AgentCredentials;
  step: StepIdentity;
  /** True for "Test this node": nothing is saved, no other node runs. */
  dryRun: boolean;
  signal: AbortSignal;
}

export interface AgentCapabilities {
  /** Can have incoming edges. Trigger-only agents cannot. */
  receives: boolean;
  /** Starts runs: how. */
  trigger?: 'manual' | 'webhook' | 'schedule';
  /** Safe to run with "Test this node". */
  dryRun: boolean;
  /** Declared loop-safe and bounded: a cycle may pass through it. */
  loopSafe?: boolean;
  /**
   * Reads and writes node memory. The engine runs such a step inside one transaction that holds a
   * per-node lock and also records the step, so memory and results commit together, exactly once.
   * A function decides from the node's (unrendered) options, e.g. only a poll action is stateful.
   */
  stateful?: boolean | ((options: Record<string, unknown>) => boolean);
  /**
   * Pure and quick: no network, no memory, no credentials, output depends only on options and
   * event. The engine may run such a step right after the step that feeds it, in the same job, and
   * record both in one statement (a crash before that statement simply runs them again).
   */
  inline?: boolean;
}

export interface AgentDefinition<Schema extends z.ZodType = z.ZodType> {
  /** snake_case key used in the portable flow format. */
  type: string;
  name: string;
  category: AgentCategory;
  /** lucide-react icon name, e.g. "Webhook". */
  icon: string;
  /** One line for the palette. */
  summary: string;
  /** Markdown user documentation. */
  description: string;
  /** An example of one event this agent emits. */
  exampleEvent: JsonObject;
  options: Schema;
  defaultOptions: z.input<Schema>;
  capabilities: AgentCapabilities;
  /**
   * Option keys (top level) whose strings are NOT rendered with Liquid before run, because the
   * agent interprets them itself (e.g. code, or a per-item template).
   */
  rawOptions?: readonly string[];
  /**
   * Not offered in the palette (still listed by the catalog, so flows that contain it render).
   * For agent types that only importers create, such as `placeholder`.
   */
  hidden?: boolean;
  /**
   * Named outputs (e.g. a switch's routes) for the options given; edges leave from one of them.
   * Agents without it have one unnamed output.
   */
  outputs?(options: z.output<Schema>): string[];
  /**
   * Where in the options `outputs` finds its names, so the editor can draw the handles as people
   * type without calling the server: "fallback" (a text option) or "routes[].name" (a field of each
   * item of a list). Empty or repeated names are skipped. Must agree with `outputs` (tested).
   */
  outputPaths?: readonly string[];
  run(ctx: AgentContext<z.output<Schema>>): Promise<JsonObject[]>;
}

export function isStateful(agent: AgentDefinition, options: Record<string, unknown>): boolean {
  const flag = agent.capabilities.stateful;
  return typeof flag === 'function' ? flag(options) : Boolean(flag);
}

export function defineAgent<Schema extends z.ZodType>(def: AgentDefinition<Schema>): AgentDefinition<Schema> {
  return def;
}

/** An error that retrying cannot fix (bad options, 4xx): the step fails at once. */
export class PermanentAgentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentAgentError';
  }
}

/** A transient error carrying the server's Retry-After: the retry waits as long as it asked. */
export class RetryAfterError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'RetryAfterError';
  }
}
