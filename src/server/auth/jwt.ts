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
  /**
   * Longest lifetime a token may have, in seconds: `exp - iat` (or `exp - now`
   * when there is no `iat`). Tokens without `exp` are always refused. Default
   * 86,400 (24 hours).
   */
  readonly maxLifetimeSeconds?: number;
}

/** A verified token: the actor it speaks for, and when it stops being valid (ms since epoch). */
export interface VerifiedToken {
  readonly actor: Actor;
  readonly expiresAt: number;
}

/** Shortest HMAC secret accepted: 32 bytes, as RFC 7518 asks for HS256. */
export const MIN_SECRET_BYTES = 32;
export const DEFAULT_MAX_LIFETIME_SECONDS = 24 * 3600;

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
export function jwtVerifier(options: JwtOptions): (token: string) => Promise<VerifiedToken> {
  const key = keyOf(options);
  const algorithms = options.secret !== undefined ? HMAC : ASYMMETRIC;
  const rolesClaim = options.rolesClaim ?? 'roles';
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS;
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms,
        clockTolerance: 5,
        requiredClaims: ['exp'],
        ...(options.issuer !== undefined && { issuer: options.issuer }),
        ...(options.audience !== undefined && { audience: options.audience }),
      }));
    } catch (error) {
      throw new StatorError(
        'UNAUTHORIZED',
        `The bearer token was refused: ${reason(error)}. Get a fresh token from your identity provider.`,
      );
    }
    const exp = payload.exp as number;
    const issued = typeof payload.iat === 'number' ? payload.iat : Date.now() / 1000;
    if (exp - issued > maxLifetime) {
      throw new StatorError(
        'UNAUTHORIZED',
        `The bearer token was refused: it is valid for ${Math.round(exp - issued)} s, longer than this server accepts (${maxLifetime} s). Issue shorter-lived tokens.`,
      );
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
      throw new StatorError('UNAUTHORIZED', 'The token has no "sub" claim to act as.');
    }
    if (payload.sub.startsWith('system:')) {
      throw new StatorError(
        'UNAUTHORIZED',
        'The token\'s "sub" starts with "system:", which names the engine\'s own actors (timers, activities); issue it for another subject.',
      );
    }
    return {
      actor: { id: payload.sub, roles: rolesOf(payload, rolesClaim) },
      expiresAt: exp * 1000,
    };
  };
}

function keyOf(options: JwtOptions): Uint8Array | JWTVerifyGetKey {
  if (options.secret !== undefined) {
    const bytes = new TextEncoder().encode(options.secret);
    if (bytes.length < MIN_SECRET_BYTES) {
      throw new StatorError(
        'CONFIG_INVALID',
        `The JWT secret is ${bytes.length} bytes; HS256 needs at least ${MIN_SECRET_BYTES} (anything shorter can be guessed offline from one token). Use e.g. \`openssl rand -base64 48\`.`,
      );
    }
    return bytes;
  }
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
      if ((error as { claim?: unknown }).claim === 'exp') return 'it has no "exp" (expiry) claim';
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
