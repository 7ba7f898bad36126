import type { Command } from 'commander';
import { storeFromUrl } from '../../host/db-url.js';
import { createLogger } from '../../host/logger.js';
import { loadModule } from '../../host/module.js';
import type { AuthOptions } from '../../server/auth/authenticate.js';
import type { JwtOptions } from '../../server/auth/jwt.js';
import { createServer } from '../../server/serve.js';
import type { Store } from '../../store/types.js';
import { parseCount, parseDuration } from '../durations.js';
import { CliError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { dbOf, envFlag } from '../options.js';

export interface ServeFlags {
  port?: string;
  host?: string;
  db?: string;
  apiKeys?: boolean;
  jwtSecret?: string;
  jwksUrl?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  rolesClaim?: string;
  insecure?: boolean;
  bodyLimit?: string;
  shutdownTimeout?: string;
  logLevel?: string;
  rateLimit?: string;
  jwtMaxLifetime?: string;
  metrics?: boolean;
  metricsToken?: string;
  publicMetrics?: boolean;
  transitionLog?: string;
  transitionLogSample?: string;
}

/** Server settings from flags, then `STATOR_*` environment variables, then defaults. */
export interface ServeConfig {
  readonly port: number;
  readonly host: string;
  readonly db: string;
  readonly apiKeys: boolean;
  readonly jwt: JwtOptions | undefined;
  readonly insecure: boolean;
  readonly bodyLimit: number;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: string;
  /** Requests per second per caller; 0 for none; undefined for the server's default. */
  readonly rateLimit: number | undefined;
  /** `GET /metrics`: off, or who may scrape it. */
  readonly metrics: false | { readonly token?: string; readonly public: boolean };
  /** One line per transition: off, or its level and the share of instances logged. */
  readonly transitionLog: false | { readonly level: 'info' | 'debug'; readonly sample: number };
}

export function serveConfig(flags: ServeFlags, env: CliIo['env']): ServeConfig {
  const pick = (flag: string | undefined, name: string) => flag ?? env[`STATOR_${name}`];
  const secret = nonEmpty(pick(flags.jwtSecret, 'JWT_SECRET'), '--jwt-secret / STATOR_JWT_SECRET');
  const jwksUrl = nonEmpty(pick(flags.jwksUrl, 'JWKS_URL'), '--jwks-url / STATOR_JWKS_URL');
  const maxLifetime = pick(flags.jwtMaxLifetime, 'JWT_MAX_LIFETIME');
  if (secret !== undefined && jwksUrl !== undefined) {
    throw new CliError('USAGE', 'Give --jwt-secret or --jwks-url, not both.');
  }
  const issuer = pick(flags.jwtIssuer, 'JWT_ISSUER');
  const audience = pick(flags.jwtAudience, 'JWT_AUDIENCE');
  const rolesClaim = pick(flags.rolesClaim, 'JWT_ROLES_CLAIM');
  const jwt: JwtOptions | undefined =
    secret !== undefined || jwksUrl !== undefined
      ? {
          ...(secret !== undefined && { secret }),
          ...(jwksUrl !== undefined && { jwksUrl }),
          ...(issuer !== undefined && { issuer }),
          ...(audience !== undefined && { audience }),
          ...(rolesClaim !== undefined && { rolesClaim }),
          ...(maxLifetime !== undefined && {
            maxLifetimeSeconds: parseDuration(maxLifetime, '--jwt-max-lifetime') / 1000,
          }),
        }
      : undefined;
  return {
    port: parseCount(pick(flags.port, 'PORT') ?? '8080', '--port', 0),
    host: pick(flags.host, 'HOST') ?? '127.0.0.1',
    db: dbOf(flags, env),
    apiKeys: flags.apiKeys === true || envFlag(env.STATOR_API_KEYS),
    jwt,
    insecure: flags.insecure === true || envFlag(env.STATOR_INSECURE),
    bodyLimit: parseCount(
      pick(flags.bodyLimit, 'BODY_LIMIT') ?? String(1024 * 1024),
      '--body-limit',
    ),
    shutdownTimeoutMs: parseDuration(
      pick(flags.shutdownTimeout, 'SHUTDOWN_TIMEOUT') ?? '10s',
      '--shutdown-timeout',
    ),
    logLevel: pick(flags.logLevel, 'LOG_LEVEL') ?? 'info',
    rateLimit: (() => {
      const given = pick(flags.rateLimit, 'RATE_LIMIT');
      return given === undefined ? undefined : parseCount(given, '--rate-limit', 0);
    })(),
    metrics: metricsOf(flags, env),
    transitionLog: transitionLogOf(flags, env),
  };
}

function metricsOf(flags: ServeFlags, env: CliIo['env']): ServeConfig['metrics'] {
  if (flags.metrics === false || env.STATOR_METRICS === 'off' || env.STATOR_METRICS === '0') {
    return false;
  }
  const token = nonEmpty(
    flags.metricsToken ?? env.STATOR_METRICS_TOKEN,
    '--metrics-token / STATOR_METRICS_TOKEN',
  );
  return {
    ...(token !== undefined && { token }),
    public: flags.publicMetrics === true || envFlag(env.STATOR_PUBLIC_METRICS),
  };
}

function transitionLogOf(flags: ServeFlags, env: CliIo['env']): ServeConfig['transitionLog'] {
  const level = flags.transitionLog ?? env.STATOR_TRANSITION_LOG ?? 'info';
  if (level === 'off') return false;
  if (level !== 'info' && level !== 'debug') {
    throw new CliError('USAGE', `--transition-log is info, debug or off; got "${level}".`);
  }
  const given = flags.transitionLogSample ?? env.STATOR_TRANSITION_LOG_SAMPLE ?? '1';
  const sample = Number(given);
  if (given.trim() === '' || !(sample >= 0 && sample <= 1)) {
    throw new CliError(
      'USAGE',
      `--transition-log-sample is the share of instances logged, from 0 to 1; got "${given}".`,
    );
  }
  return { level, sample };
}

/** A setting that is given must not be empty: an empty secret is a mistake, not "no secret". */
function nonEmpty(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && value.trim() === '') {
    throw new CliError(
      'CONFIG_INVALID',
      `${name} is set but empty. Give a value, or unset it to turn this authentication method off.`,
    );
  }
  return value;
}

/** `serve <module>`: runs the HTTP server until SIGTERM/SIGINT, then drains and exits 0. */
export function serveCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('serve a machine module over HTTP (SQLite by default)')
    .argument('<module>', 'file exporting the machines (.js, .mjs or .ts)')
    .option('--port <port>', 'port, 0 for any free one (env STATOR_PORT; default 8080)')
    .option('--host <host>', 'address to bind (env STATOR_HOST; default 127.0.0.1)')
    .option(
      '--db <url>',
      'sqlite:<file> | postgres://… | memory: (env STATOR_DB; default sqlite:./.stator/stator.db)',
    )
    .option('--api-keys', 'accept API keys from the store (env STATOR_API_KEYS=1)')
    .option(
      '--jwt-secret <secret>',
      'accept HS256 JWTs signed with this secret (env STATOR_JWT_SECRET)',
    )
    .option('--jwks-url <url>', 'accept JWTs signed by keys from this JWKS (env STATOR_JWKS_URL)')
    .option('--jwt-issuer <iss>', 'required JWT issuer (env STATOR_JWT_ISSUER)')
    .option('--jwt-audience <aud>', 'required JWT audience (env STATOR_JWT_AUDIENCE)')
    .option(
      '--roles-claim <claim>',
      'JWT claim with the roles, dotted path allowed (env STATOR_JWT_ROLES_CLAIM; default roles)',
    )
    .option(
      '--jwt-max-lifetime <duration>',
      'longest JWT lifetime accepted, exp - iat (env STATOR_JWT_MAX_LIFETIME; default 24h); tokens without exp are refused',
    )
    .option(
      '--rate-limit <n>',
      'requests per second per caller, 0 for no limit (env STATOR_RATE_LIMIT; default 100 with auth or a public address, none on loopback without auth)',
    )
    .option(
      '--insecure',
      'allow a non-loopback address without authentication (env STATOR_INSECURE=1)',
    )
    .option('--body-limit <bytes>', 'largest request body (env STATOR_BODY_LIMIT; default 1048576)')
    .option(
      '--shutdown-timeout <duration>',
      'drain time on SIGTERM (env STATOR_SHUTDOWN_TIMEOUT; default 10s)',
    )
    .option(
      '--log-level <level>',
      'trace|debug|info|warn|error|silent (env STATOR_LOG_LEVEL; default info)',
    )
    .option('--no-metrics', 'no GET /metrics and no metrics (env STATOR_METRICS=off)')
    .option(
      '--metrics-token <token>',
      'GET /metrics answers only "Authorization: Bearer <token>" (env STATOR_METRICS_TOKEN)',
    )
    .option(
      '--public-metrics',
      'with authentication on, serve GET /metrics without credentials (env STATOR_PUBLIC_METRICS=1)',
    )
    .option(
      '--transition-log <level>',
      'one log line per transition: info|debug|off (env STATOR_TRANSITION_LOG; default info)',
    )
    .option(
      '--transition-log-sample <share>',
      'share of instances whose transitions are logged, 0 to 1 (env STATOR_TRANSITION_LOG_SAMPLE; default 1)',
    )
    .action(async (modulePath: string, flags: ServeFlags) => {
      // Listen first: a SIGTERM while starting up stops the server once it is
      // up, instead of killing the process half-way (or racing the listener).
      const stopping = io.stopRequested();
      const config = serveConfig(flags, io.env);
      const mod = await loadModule(modulePath, io.cwd);
      const { store } = await storeFromUrl(config.db);
      const server = await createServer({
        module: mod,
        store,
        port: config.port,
        host: config.host,
        insecure: config.insecure,
        bodyLimit: config.bodyLimit,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        ...(config.rateLimit !== undefined && {
          rateLimit: config.rateLimit === 0 ? false : { perSecond: config.rateLimit },
        }),
        logger: createLogger(config.logLevel),
        auth: authOf(config, store),
        // The server owns this process: its memory, CPU and event loop lag are scraped too.
        metrics: config.metrics && { ...config.metrics, process: true },
        transitionLog: config.transitionLog,
        version: program.version() ?? '0.0.0',
      }).catch(async (error: unknown) => {
        await store.close().catch(() => {});
        throw error;
      });
      io.stderr(`stator: serving ${modulePath} on ${server.url} (db ${config.db})\n`);
      const signal = await stopping;
      io.stderr(`stator: ${signal} received, draining\n`);
      await server.close();
    });
}

function authOf(config: ServeConfig, store: Store): AuthOptions {
  return {
    ...(config.apiKeys && { apiKeys: store }),
    ...(config.jwt && { jwt: config.jwt }),
  };
}
