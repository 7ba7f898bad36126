import { StatorError } from '../../core/errors.js';
import type { Principal } from '../types.js';
import { type ApiKeyLookup, isApiKeyToken, verifyApiKey } from './api-keys.js';
import { type JwtOptions, jwtVerifier } from './jwt.js';

/** Authentication methods; with neither, the server is unauthenticated (development only). */
export interface AuthOptions {
  /** Accept `stk_…` API keys, looked up by hash (pass the Store). */
  readonly apiKeys?: ApiKeyLookup;
  /** Accept JWTs verified with jose. */
  readonly jwt?: JwtOptions;
}

export type Authenticate = (request: Request) => Promise<Principal>;

/** True when at least one method is configured. */
export const authEnabled = (auth: AuthOptions | undefined): boolean =>
  auth?.apiKeys !== undefined || auth?.jwt !== undefined;

/** The request's principal from `Authorization: Bearer …`, or UNAUTHORIZED saying what to send. */
export function authenticator(auth: AuthOptions): Authenticate {
  const verifyJwt = auth.jwt && jwtVerifier(auth.jwt);
  const accepted = [auth.apiKeys && 'an API key (stk_…)', auth.jwt && 'a JWT']
    .filter(Boolean)
    .join(' or ');
  return async (request) => {
    const header = request.headers.get('authorization');
    const match = header ? /^Bearer +([\x21-\x7e]{1,8192})$/i.exec(header.trim()) : null;
    if (!match) {
      throw new StatorError(
        'UNAUTHORIZED',
        `Authenticate with "Authorization: Bearer <token>", the token being ${accepted}.`,
      );
    }
    const token = match[1]!;
    if (isApiKeyToken(token)) {
      if (!auth.apiKeys)
        throw new StatorError(
          'UNAUTHORIZED',
          'API keys are not accepted by this server; send a JWT.',
        );
      const lookup = auth.apiKeys;
      return {
        actor: await verifyApiKey(lookup, token),
        via: 'api-key',
        revalidate: async () => {
          await verifyApiKey(lookup, token);
        },
      };
    }
    if (!verifyJwt) {
      throw new StatorError('UNAUTHORIZED', 'This server accepts API keys (stk_…) only.');
    }
    const { actor, expiresAt } = await verifyJwt(token);
    return {
      actor,
      via: 'jwt',
      revalidate: async () => {
        if (Date.now() >= expiresAt) {
          throw new StatorError('UNAUTHORIZED', 'The bearer token has expired. Get a fresh one.');
        }
      },
    };
  };
}
