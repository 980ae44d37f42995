import { createContext, useContext } from 'react';
import type { Me } from '../../src/contracts/api.js';

/** Who is signed in, for the pages inside the Shell (it holds the answer of GET /api/me). */
export const MeContext = createContext<Me | null>(null);

/** The signed-in person; null only outside the Shell. */
export function useMe(): Me | null {
  return useContext(MeContext);
}

/** Whether the signed-in person is an instance admin (compute, credentials, SSO, invites). */
export function useIsAdmin(): boolean {
  return useMe()?.role === 'admin';
}

/** Why a control an instance admin uses is disabled for everyone else. */
export const ADMIN_ONLY = 'only an instance admin can change this';
