import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyStateMachine } from 'xstate';
import { eventTypes } from '../analysis/mermaid.js';
import { StatorError } from '../core/errors.js';
import type { MachineRegistration, MigrationDeclaration } from '../runtime/types.js';
import { type MissingPackage, missingPackage } from './missing-package.js';
import type { MachineModule, MachineSchemas, Policies } from './types.js';

/**
 * Types a machine module, so editors check it.
 *
 * @example
 * export default defineModule({
 *   machines: [orderMachine],
 *   schemas: { order: { events: { Pay: z.object({ amount: z.number().positive().optional() }) } } },
 *   policies: { order: { events: { Pay: { roles: ['customer', 'admin'] } } } },
 * });
 *
 * A machine migrated from XState that relies on XState ignoring events its
 * state does not take is listed as `{ machine, unacceptedEvents: 'ignore' }`.
 */
export const defineModule = <M extends MachineModule>(module: M): M => module;

/** A loaded module: registrations with their schemas merged in, and the policies. */
export interface LoadedModule {
  readonly registrations: readonly MachineRegistration[];
  readonly policies: Policies;
  readonly activities?: MachineModule['activities'];
  readonly migrations?: MachineModule['migrations'];
  readonly rollout?: MachineModule['rollout'];
  readonly shadow?: MachineModule['shadow'];
}

const TS = /\.(c|m)?tsx?$/;

/**
 * Imports a machine module (`.js`, `.mjs` or `.ts`: TypeScript is loaded with
 * tsx) and checks its shape. CONFIG_INVALID says what is wrong.
 */
export async function loadModule(path: string, cwd = process.cwd()): Promise<LoadedModule> {
  const file = isAbsolute(path) ? path : resolve(cwd, path);
  let exports: Record<string, unknown>;
  try {
    exports = await importFile(file);
  } catch (error) {
    if (error instanceof StatorError) throw error;
    const missing = missingPackage(error);
    if (missing) throw missingPackageError(path, file, missing, error);
    throw new StatorError(
      'CONFIG_INVALID',
      `Could not load the machine module ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { module: path },
      { cause: error },
    );
  }
  const candidate = Array.isArray(exports.machines) ? exports : exports.default;
  return normalizeModule(candidate, path);
}

function missingPackageError(
  path: string,
  file: string,
  missing: MissingPackage,
  cause: unknown,
): StatorError {
  const { name, importer, folder, installIn } = missing;
  const via = importer === file ? '' : ` (through ${importer})`;
  const peer =
    name === 'xstate' ? ' Stator runs the machines with the XState of their own project.' : '';
  return new StatorError(
    'CONFIG_INVALID',
    `Could not load the machine module ${path}: it imports "${name}"${via}, which is not installed for ${folder} (Node looks for packages from the importing file's folder upward). Run \`npm install ${name}\` in ${installIn}.${peer}`,
    { module: path, package: name, folder, installIn },
    { cause },
  );
}

async function importFile(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  try {
    return await import(url);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (!TS.test(file) || code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  }
  // Plain Node 20 cannot load TypeScript: register tsx's loader and load it again.
  const { register } = await import('tsx/esm/api');
  register();
  return import(`${url}?tsx`);
}

/** Checks a module object and merges its `schemas` into the machine registrations. */
export function normalizeModule(candidate: unknown, source = 'the module'): LoadedModule {
  const invalid = (what: string) =>
    new StatorError(
      'CONFIG_INVALID',
      `${source} ${what}. Export \`const machines = [orderMachine, …]\` (and optional policies, schemas, activities, migrations, rollout, shadow) or a default object with them; see docs/server.md.`,
      { module: source },
    );
  if (typeof candidate !== 'object' || candidate === null) throw invalid('exports no machines');
  const mod = candidate as Partial<MachineModule>;
  if (!Array.isArray(mod.machines) || mod.machines.length === 0)
    throw invalid('exports no machines');
  const registrations = mod.machines.map((m): MachineRegistration => {
    if (isMachine(m)) return { machine: m };
    if (typeof m === 'object' && m !== null && isMachine((m as MachineRegistration).machine)) {
      return m as MachineRegistration;
    }
    throw invalid('lists something that is neither a machine nor { machine, version }');
  });
  for (const r of registrations) {
    const setting = r.unacceptedEvents;
    if (setting !== undefined && setting !== 'reject' && setting !== 'ignore') {
      throw new StatorError(
        'CONFIG_INVALID',
        `${source} registers machine "${r.machine.id}" with unacceptedEvents ${JSON.stringify(setting)}: use 'reject' (the default: EVENT_NOT_ACCEPTED / EVENT_UNKNOWN) or 'ignore' (XState's semantics: discarded, answered unchanged).`,
        { module: source, machine: r.machine.id },
      );
    }
  }
  const byName = new Map(registrations.map((r) => [r.machine.id, r.machine]));
  const schemas = { ...(mod.schemas ?? {}) };
  const policies = mod.policies ?? {};
  checkNames('schemas', schemas, byName, (s) => Object.keys(s.events ?? {}));
  checkNames('policies', policies, byName, (p) =>
    Object.keys(p.events ?? {}).filter((t) => t !== '*'),
  );
  checkMigrations(mod.migrations, byName, invalid);
  checkVersionMaps('rollout', mod.rollout, byName, (v) => typeof v === 'object' && v !== null);
  checkVersionMaps('shadow', mod.shadow, byName, (v) => typeof v === 'string');
  return {
    registrations: registrations.map((r) => withSchemas(r, schemas[r.machine.id])),
    policies,
    ...(mod.activities !== undefined && { activities: mod.activities }),
    ...(mod.migrations !== undefined && { migrations: mod.migrations }),
    ...(mod.rollout !== undefined && { rollout: mod.rollout }),
    ...(mod.shadow !== undefined && { shadow: mod.shadow }),
  };
}

/**
 * Declared migrations: machine, from and to strings, a mapping of state path
 * strings, a context function. (Whether the versions and states exist is
 * checked by the engine, which knows the versions registered.)
 */
function checkMigrations(
  migrations: unknown,
  machines: Map<string, AnyStateMachine>,
  invalid: (what: string) => StatorError,
): void {
  if (migrations === undefined) return;
  if (!Array.isArray(migrations)) throw invalid('exports `migrations` that is not an array');
  migrations.forEach((m: Partial<MigrationDeclaration>, i) => {
    const at = `migrations[${i}]`;
    if (typeof m !== 'object' || m === null) throw invalid(`exports ${at} that is not an object`);
    for (const field of ['machine', 'from', 'to'] as const) {
      if (typeof m[field] !== 'string' || m[field] === '') {
        throw invalid(`exports ${at} without a "${field}" string`);
      }
    }
    if (!machines.has(m.machine as string)) {
      throw invalid(`exports ${at} for machine "${m.machine}", which it does not export`);
    }
    if (m.states !== undefined) {
      if (typeof m.states !== 'object' || m.states === null || Array.isArray(m.states)) {
        throw invalid(`exports ${at}.states that is not an object of state paths`);
      }
      for (const [from, to] of Object.entries(m.states)) {
        if (typeof to !== 'string' || to === '') {
          throw invalid(`exports ${at}.states["${from}"] that is not a state path string`);
        }
      }
    }
    if (m.context !== undefined && typeof m.context !== 'function') {
      throw invalid(
        `exports ${at}.context that is not a function (context, { from, to }) => context`,
      );
    }
  });
}

/** `rollout` and `shadow`: objects by machine name the module exports. */
function checkVersionMaps(
  what: string,
  map: unknown,
  machines: Map<string, AnyStateMachine>,
  valid: (value: unknown) => boolean,
): void {
  if (map === undefined) return;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new StatorError(
      'CONFIG_INVALID',
      `The module's ${what} must be an object by machine name.`,
    );
  }
  for (const [name, value] of Object.entries(map)) {
    if (!machines.has(name)) {
      throw new StatorError(
        'CONFIG_INVALID',
        `The module's ${what} names machine "${name}", which it does not export (machines: ${[...machines.keys()].join(', ')}).`,
        { machine: name },
      );
    }
    if (!valid(value)) {
      throw new StatorError(
        'CONFIG_INVALID',
        `The module's ${what} of "${name}" must be ${what === 'shadow' ? 'a version string' : 'an object of version → share'}.`,
        { machine: name },
      );
    }
  }
}

function isMachine(value: unknown): value is AnyStateMachine {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AnyStateMachine).id === 'string' &&
    typeof (value as AnyStateMachine).root === 'object'
  );
}

function withSchemas(
  reg: MachineRegistration,
  extra: MachineSchemas | undefined,
): MachineRegistration {
  return extra ? { ...reg, schemas: merged(reg, extra) } : reg;
}

/** The registration's own schemas with the module's `schemas` entry on top. */
function merged(
  reg: MachineRegistration | undefined,
  extra: MachineSchemas | undefined,
): MachineSchemas {
  const input = extra?.input ?? reg?.schemas?.input;
  return { events: { ...reg?.schemas?.events, ...extra?.events }, ...(input && { input }) };
}

/** A policy or schema naming an unknown machine or event type is a typo that would silently do nothing. */
function checkNames<T>(
  what: string,
  entries: Readonly<Record<string, T>>,
  machines: Map<string, AnyStateMachine>,
  typesOf: (entry: T) => string[],
): void {
  for (const [name, entry] of Object.entries(entries)) {
    if (name === '*' && what === 'policies') continue;
    const machine = machines.get(name);
    if (!machine) {
      throw new StatorError(
        'CONFIG_INVALID',
        `The module's ${what} name machine "${name}", which it does not export (machines: ${[...machines.keys()].join(', ')}).`,
        { machine: name },
      );
    }
    const known = new Set(eventTypes(machine));
    const unknown = typesOf(entry).filter((t) => !known.has(t));
    if (unknown.length) {
      throw new StatorError(
        'CONFIG_INVALID',
        `The module's ${what} for "${name}" name event types the machine does not handle: ${unknown.join(', ')} (it handles ${[...known].join(', ')}).`,
        { machine: name, eventTypes: unknown },
      );
    }
  }
}
