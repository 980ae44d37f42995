/**
 * Device login, in the shapes DVC (`dvc studio login`) and the `dvc-studio-client` package use
 * against Iterative Studio, so they work against Kiln unchanged; `kiln login` uses the same flow.
 */
import { z } from 'zod';

/** Scopes DVC's clients ask for (older: EXPERIMENTS, DATASETS, MODELS; newer: live, dvc_experiment, …). */
export const DVC_SCOPES = [
  'EXPERIMENTS',
  'DATASETS',
  'MODELS',
  'LIVE',
  'DVC_EXPERIMENT',
  'VIEW_URL',
  'DQL',
  'DOWNLOAD_MODEL',
] as const;

export const DeviceLoginStart = z.object({
  client_name: z.string().trim().min(1, 'client_name is empty').max(100),
  token_name: z.string().trim().min(1).max(100).optional(),
  scopes: z.array(z.string().max(40)).max(20).optional(),
});
export type DeviceLoginStart = z.infer<typeof DeviceLoginStart>;

export const DeviceLoginStarted = z.object({
  device_code: z.string(),
  user_code: z.string(),
  verification_uri: z.string(),
  token_uri: z.string(),
  token_name: z.string(),
  expires_in: z.number(),
  interval: z.number(),
});
export type DeviceLoginStarted = z.infer<typeof DeviceLoginStarted>;

export const DeviceTokenRequest = z.object({ code: z.string().min(1).max(200) });
export type DeviceTokenRequest = z.infer<typeof DeviceTokenRequest>;

export const DeviceToken = z.object({ access_token: z.string(), token_name: z.string(), scope: z.string() });
export type DeviceToken = z.infer<typeof DeviceToken>;

export const UserCodeBody = z.object({ user_code: z.string().trim().min(1).max(40) });
export type UserCodeBody = z.infer<typeof UserCodeBody>;

/** What the approval page shows before the person approves or denies. */
export const DeviceLoginRequest = z.object({
  user_code: z.string(),
  client_name: z.string(),
  token_name: z.string(),
  /** As the client asked. */
  scopes: z.array(z.string()),
  /** The Kiln token scope the approval makes. */
  scope: z.enum(['read', 'run', 'live', 'admin']),
  expires_at: z.string(),
});
export type DeviceLoginRequest = z.infer<typeof DeviceLoginRequest>;
