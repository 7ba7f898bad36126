import type { Actor } from '../core/types.js';

export type {
  EventRule,
  MachineModule,
  MachinePolicy,
  MachineSchemas,
  Policies,
  ReadRule,
} from '../host/types.js';

/** The authenticated caller of one request. */
export interface Principal {
  readonly actor: Actor;
  readonly via: 'api-key' | 'jwt';
  /**
   * Checks that the credential is still good (the API key not revoked, the
   * token not expired); throws UNAUTHORIZED when it is not. Long-lived
   * requests (watch streams) call it while they run.
   */
  readonly revalidate: () => Promise<void>;
}
