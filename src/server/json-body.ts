import type { FastifyInstance } from 'fastify';
import { ApiFailure } from './api-error.js';

/** Deeper than any real request; validating deeper values would overflow the stack (a 500). */
export const MAX_JSON_DEPTH = 200;

/** How deeply `text`'s arrays and objects nest, stopping as soon as it passes `max`. */
export function jsonDepth(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > deepest && (deepest = depth) > max) return deepest;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return deepest;
}

/**
 * Fastify's JSON body parser (with its prototype-poisoning checks), refusing bodies nested past
 * {@link MAX_JSON_DEPTH} with a 400 before anything walks them.
 */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDepth(text) > MAX_JSON_DEPTH)
      return done(
        new ApiFailure(
          'bad_request',
          `the JSON body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep`,
          'no Kiln request needs that; flatten the value',
        ),
        undefined,
      );
    return parse(req, text, done);
  });
}
