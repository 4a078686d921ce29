import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from './app-router';

export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type AgentInfo = RouterOutputs['agents']['list'][number];
export type AgentCategory = AgentInfo['category'];
export type FlowSummary = RouterOutputs['flows']['list'][number];
export type FlowDetail = RouterOutputs['flows']['get'];
export type FlowGraph = FlowDetail['graph'];
export type RunSummary = RouterOutputs['runs']['listForFlow']['items'][number];
export type RunDetail = RouterOutputs['runs']['get'];
export type RunStep = RunDetail['steps'][number];
export type RunStatus = RunSummary['status'];
export type StepStatus = RunStep['status'];
