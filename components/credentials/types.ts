import type { RouterOutputs } from '../trpc/types';

export type CredentialSummary = RouterOutputs['credentials']['list'][number];
export type CredentialTypeInfo = RouterOutputs['credentials']['types'][number];
export type CredentialTestResult = RouterOutputs['credentials']['test'];
