/** Compute and money: a team's spend this month against its cap, and who may use a profile. */
import { z } from 'zod';

export const TeamSpend = z.object({
  team: z.string(),
  teamId: z.string(),
  /** The month counted, `YYYY-MM` (UTC). */
  month: z.string(),
  capUsd: z.number().nullable(),
  /** Cost of this month's finished runs: the machine's price over the time they ran. */
  spentUsd: z.number(),
  /** Upper bound of the runs queued or under way: price × timeout. */
  reservedUsd: z.number(),
  /** capUsd − spent − reserved (never below 0); null without a cap. */
  leftUsd: z.number().nullable(),
  /** Runs counted (finished, queued or under way on priced machines). */
  runs: z.number(),
});
export type TeamSpend = z.infer<typeof TeamSpend>;

export const TeamSpendList = z.object({ teams: z.array(TeamSpend) });
export type TeamSpendList = z.infer<typeof TeamSpendList>;

export const TeamCapBody = z.object({
  /** US dollars a month; null removes the cap. */
  monthlyCapUsd: z.number().min(0).max(10_000_000).nullable(),
});
export type TeamCapBody = z.infer<typeof TeamCapBody>;

export const ProfileTeams = z.object({
  /** Teams (names or ids) that may run on the profile; empty = every team. */
  teams: z.array(z.string().min(1).max(100)).max(1000),
});
export type ProfileTeams = z.infer<typeof ProfileTeams>;
