/**
 * The storage contract: its rows and writes (`rows.ts`) and its ports
 * (`ports.ts`), in one import.
 */
export type * from './ports.js';
export type * from './rows.js';
