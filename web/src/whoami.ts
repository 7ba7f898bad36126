import { whoAmI } from './api';
import { getToken } from './auth';
import { useLoad } from './hooks';
import type { Decision, MachineAccess, WhoAmI } from './types';

/** Who the server says the caller is (read again when the token changes). */
export function useWhoAmI(): WhoAmI | undefined {
  return useLoad(whoAmI, `whoami:${getToken() ?? ''}`).data;
}

/** The caller's decisions for one machine; everything allowed until known. */
export function accessOf(me: WhoAmI | undefined, machine: string): MachineAccess | undefined {
  return me?.machines.find((m) => m.machine === machine);
}

export const allowed = (d: Decision | undefined): boolean => d === undefined || d === true;
