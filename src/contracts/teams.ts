/** Teams, roles and scoped tokens: the shapes of the teams API (see README "Roles"). */
import { z } from 'zod';

export const TeamRole = z.enum(['viewer', 'member', 'maintainer', 'owner']);
export type TeamRole = z.infer<typeof TeamRole>;

export const TokenScope = z.enum(['read', 'run', 'live', 'admin']);
export type TokenScope = z.infer<typeof TokenScope>;

export const TeamName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a team name is letters, digits, ".", "_" or "-" (at most 64)');
export type TeamName = z.infer<typeof TeamName>;

/**
 * A user name: what people type to sign in, what the audit trail shows, and what invites, SSO
 * and `kiln admin user` create — one rule for all of them. "@" is allowed (and at most 100
 * characters) because `kiln admin user` has always accepted such names.
 */
export const UserName = z
  .string()
  .min(1)
  .max(100, 'a user name is at most 100 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@-]*$/,
    'a user name is letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
  );
export type UserName = z.infer<typeof UserName>;

/** A team as its members see it, with the caller's role in it (null for an instance admin who is no member). */
export const Team = z.object({
  id: z.string(),
  name: z.string(),
  personal: z.boolean(),
  monthlyCapUsd: z.number().nullable(),
  role: TeamRole.nullable(),
});
export type Team = z.infer<typeof Team>;

export const TeamMember = z.object({
  userId: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  role: TeamRole,
});
export type TeamMember = z.infer<typeof TeamMember>;

export const TeamDetail = Team.extend({
  members: z.array(TeamMember),
  projects: z.array(z.string()),
});
export type TeamDetail = z.infer<typeof TeamDetail>;

export const CreateTeamBody = z.object({ name: TeamName });
export type CreateTeamBody = z.infer<typeof CreateTeamBody>;

export const SetMemberBody = z.object({ role: TeamRole });
export type SetMemberBody = z.infer<typeof SetMemberBody>;

/** A per-project role override; `role: null` removes it. */
export const SetProjectRoleBody = z.object({ role: TeamRole.nullable() });
export type SetProjectRoleBody = z.infer<typeof SetProjectRoleBody>;

export const ProjectMembers = z.object({
  team: z.string().nullable(),
  members: z.array(TeamMember),
  overrides: z.array(TeamMember),
});
export type ProjectMembers = z.infer<typeof ProjectMembers>;

/** What the caller may do in a project, so the UI can disable the rest with the reason. */
export const ProjectAccessInfo = z.object({
  role: TeamRole,
  team: z.string().nullable(),
  permissions: z.record(z.string(), z.boolean()),
  /** Why each permission the caller lacks is missing, in words for a person. */
  reasons: z.record(z.string(), z.string()),
});
export type ProjectAccessInfo = z.infer<typeof ProjectAccessInfo>;
