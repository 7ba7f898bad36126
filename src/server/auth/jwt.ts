import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { StatorError } from '../../core/errors.js';
import type { Actor } from '../../core/types.js';

/** How to verify JWTs: one of `secret` (HMAC), `jwksUrl` or `jwks` (public keys). */
export interface JwtOptions {
  /** Shared secret for HS256/384/512 tokens. */
  readonly secret?: string;
  /** URL of a JWKS document (fetched and cached by jose). */
  readonly jwksUrl?: string;
  /** A JWKS given inline. */
  readonly jwks?: JSONWebKeySet;
  readonly issuer?: string;
  readonly audience?: string;
  /** Claim holding the roles: an array or a space-separated string; dotted paths allowed (`realm_access.roles`). Default `roles`. */
  readonly rolesClaim?: string;
}

const HMAC = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/**
 * A function that turns a JWT into the actor it speaks for (`sub` and roles),
 * or throws UNAUTHORIZED.
 *
 * @example
 * const verify = jwtVerifier({ jwksUrl: 'https://id.example.com/.well-known/jwks.json', issuer: 'https://id.example.com/' });
 * const actor = await verify(token); // { id: 'user-1', roles: ['customer'] }
 */
export function jwtVerifier(options: JwtOptions): (token: string) => Promise<Actor> {
  const key = keyOf(options);
  const algorithms = options.secret !== undefined ? HMAC : ASYMMETRIC;
  const rolesClaim = options.rolesClaim ?? 'roles';
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms,
        clockTolerance: 5,
        ...(options.issuer !== undefined && { issuer: options.issuer }),
        ...(options.audience !== undefined && { audience: options.audience }),
      }));
    } catch (error) {
      throw new StatorError(
        'UNAUTHORIZED',
        `The bearer token was refused: ${reason(error)}. Get a fresh token from your identity provider.`,
      );
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
      throw new StatorError('UNAUTHORIZED', 'The token has no "sub" claim to act as.');
    }
    return { id: payload.sub, roles: rolesOf(payload, rolesClaim) };
  };
}

function keyOf(options: JwtOptions): Uint8Array | JWTVerifyGetKey {
  if (options.secret !== undefined) return new TextEncoder().encode(options.secret);
  if (options.jwks !== undefined) return createLocalJWKSet(options.jwks);
  if (options.jwksUrl !== undefined) return createRemoteJWKSet(new URL(options.jwksUrl));
  throw new StatorError('CONFIG_INVALID', 'JWT verification needs a secret, a JWKS or a JWKS URL.');
}

function rolesOf(payload: JWTPayload, claim: string): string[] {
  let value: unknown = payload;
  for (const part of claim.split('.')) {
    value =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[part]
        : undefined;
  }
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((r): r is string => typeof r === 'string');
  return [];
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'it has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `claim check failed (${(error as Error).message})`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'its signature does not match a trusted key';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'its algorithm is not accepted';
    default:
      return 'it is not a valid JWT';
  }
}
