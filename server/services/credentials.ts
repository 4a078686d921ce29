import type { AgentCredentials } from '../agents/define-agent';
import { notFound } from '../errors';

// Placeholder until the credentials vault lands: no credential can be resolved yet.
export function credentialsFor(_workspaceId: string): AgentCredentials {
  return {
    async get() {
      throw notFound('This credential');
    },
  };
}
