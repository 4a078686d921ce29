import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { adminProcedure, ownerProcedure, publicProcedure, router, signedInProcedure, viewerProcedure } from '../trpc';
import * as workspaces from '../../services/workspaces';
import * as members from '../../services/members';
import { serializeCookie, WORKSPACE_COOKIE } from '../../auth/http';
import { ROLES } from '../../auth/roles';

const role = z.enum(ROLES as [(typeof ROLES)[number], ...(typeof ROLES)[number][]], { error: 'Choose a role: viewer, builder, admin or owner' });
const userId = z.object({ userId: z.string().uuid('That is not a valid member id') });
const YEAR = 365 * 24 * 3600;

/** The signed-in person's workspaces, the active one, and its members and invitations. */
export const workspacesRouter = router({
  /** Every workspace the user belongs to, and which one is active (for the switcher). */
  mine: signedInProcedure.query(async ({ ctx }) => ({
    user: ctx.user,
    activeId: ctx.workspaceId,
    role: ctx.role,
    workspaces: await workspaces.listMyWorkspaces(ctx.user.id),
  })),
  current: viewerProcedure.query(async ({ ctx }) => ({ ...(await workspaces.getWorkspace(ctx.workspaceId)), role: ctx.role })),
  create: signedInProcedure
    .input(z.object({ name: z.string().max(200) }))
    .mutation(async ({ ctx, input }) => {
      const ws = await workspaces.createWorkspace(ctx.user.id, input.name);
      ctx.resHeaders?.append('set-cookie', serializeCookie(WORKSPACE_COOKIE, ws.id, { secure: Boolean(ctx.secure), maxAgeSeconds: YEAR }));
      return ws;
    }),
  /** Makes another of the user's workspaces the active one (a cookie, checked on every request). */
  switch: signedInProcedure.input(z.object({ workspaceId: z.string().uuid() })).mutation(async ({ ctx, input }) => {
    const m = await workspaces.resolveMembership(ctx.user.id, input.workspaceId);
    if (!m || m.workspaceId !== input.workspaceId) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'This workspace was not found, or you are not a member of it.' });
    }
    ctx.resHeaders?.append('set-cookie', serializeCookie(WORKSPACE_COOKIE, m.workspaceId, { secure: Boolean(ctx.secure), maxAgeSeconds: YEAR }));
    return m;
  }),
  rename: adminProcedure.input(z.object({ name: z.string().max(200) })).mutation(({ ctx, input }) => workspaces.renameWorkspace(ctx.workspaceId, input.name)),
  delete: ownerProcedure
    .input(z.object({ confirmName: z.string().max(200) }))
    .mutation(({ ctx, input }) => workspaces.deleteWorkspace(ctx.workspaceId, input.confirmName)),
  leave: viewerProcedure.mutation(({ ctx }) => members.leaveWorkspace(ctx.workspaceId, ctx.user.id)),

  members: viewerProcedure.query(({ ctx }) => members.listMembers(ctx.workspaceId)),
  invitations: adminProcedure.query(({ ctx }) => members.listInvitations(ctx.workspaceId)),
  invite: adminProcedure
    .input(z.object({ email: z.string().max(254), role }))
    .mutation(({ ctx, input }) => members.inviteMember(ctx.workspaceId, { userId: ctx.user.id, role: ctx.role }, input, ctx.publicUrl)),
  revokeInvitation: adminProcedure
    .input(z.object({ id: z.string().uuid('That is not a valid invitation id') }))
    .mutation(({ ctx, input }) => members.revokeInvitation(ctx.workspaceId, input.id)),
  changeRole: adminProcedure
    .input(userId.extend({ role }))
    .mutation(({ ctx, input }) => members.changeMemberRole(ctx.workspaceId, { userId: ctx.user.id, role: ctx.role }, input.userId, input.role)),
  removeMember: adminProcedure
    .input(userId)
    .mutation(({ ctx, input }) => members.removeMember(ctx.workspaceId, { userId: ctx.user.id, role: ctx.role }, input.userId)),

  /** The invitation page, before sign-in: whose workspace, for which address. */
  invitation: publicProcedure.input(z.object({ token: z.string().min(1).max(200) })).query(({ input }) => members.previewInvitation(input.token)),
  acceptInvitation: signedInProcedure.input(z.object({ token: z.string().min(1).max(200) })).mutation(async ({ ctx, input }) => {
    const joined = await members.acceptInvitation(input.token, ctx.user);
    ctx.resHeaders?.append('set-cookie', serializeCookie(WORKSPACE_COOKIE, joined.workspaceId, { secure: Boolean(ctx.secure), maxAgeSeconds: YEAR }));
    return joined;
  }),
});
