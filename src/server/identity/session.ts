import type { FastifyReply } from 'fastify';
import { SESSION_COOKIE, type Authenticator } from '../auth.js';

/** Signs the browser in as `userId`: a new session and its cookie, as the login code does. */
export async function startSession(auth: Authenticator, reply: FastifyReply, userId: string): Promise<void> {
  const session = await auth.createSession(userId);
  void reply.setCookie(SESSION_COOKIE, session.id, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    maxAge: session.maxAgeSec,
  });
}
