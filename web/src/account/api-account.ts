import { z } from 'zod';
import { AuditPage } from '../../../src/contracts/audit.js';
import { DeviceLoginRequest } from '../../../src/contracts/device-login.js';
import { request } from '../api.js';

const Decided = z.object({ ok: z.boolean(), token_name: z.string(), scope: z.string() });

export interface AuditFilters {
  person?: string;
  action?: string;
  project?: string;
  since?: string;
  until?: string;
}

/** The device-login approval and the audit trail, as the UI calls them. */
export const accountApi = {
  deviceRequest: (code: string) =>
    request('GET', `/api/device-login/request?code=${encodeURIComponent(code)}`, DeviceLoginRequest),
  approveDevice: (userCode: string) =>
    request('POST', '/api/device-login/approve', Decided, { user_code: userCode }),
  denyDevice: (userCode: string) =>
    request('POST', '/api/device-login/deny', Decided, { user_code: userCode }),
  audit: (filters: AuditFilters, cursor: string | null, limit = 50) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (typeof v === 'string' && v.trim()) q.set(k, v.trim());
    q.set('limit', String(limit));
    if (cursor) q.set('cursor', cursor);
    return request('GET', `/api/audit?${q.toString()}`, AuditPage);
  },
};
