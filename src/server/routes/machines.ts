import type { Hono } from 'hono';
import { machineChart } from '../../analysis/chart.js';
import { eventTypes, mermaidGraph } from '../../analysis/mermaid.js';
import { type AppContext, type AppEnv, machineParam } from '../context.js';
import { standardToJsonSchema } from '../json-schema.js';
import { parseWith, queryObject } from '../request-schemas.js';
import { TransitionRate } from '../transition-rate.js';
import { MachineQuery } from '../versioning-schemas.js';

export const MACHINES = '/v1/machines';
export const MACHINE = '/v1/machines/:machine';

/** Registered machines; one machine version's event types and schemas, Mermaid graph and chart JSON. */
export function machineRoutes(app: Hono<AppEnv>, ctx: AppContext): void {
  const { engine } = ctx;
  const rate = new TransitionRate(engine);
  ctx.shutdown.addEventListener('abort', rate.stop, { once: true });
  app.get(MACHINES, (c) =>
    c.json({
      machines: engine
        .machines()
        .map((m) => ({ ...m, transitionsPerMinute: rate.perMinute(m.name) })),
    }),
  );

  app.get(MACHINE, (c) => {
    const name = machineParam(c);
    const { version } = parseWith(MachineQuery, queryObject(new URL(c.req.url)), 'The query');
    const described = engine.definition(name, version);
    const definition = described.machine;
    const summary = engine.machines().find((m) => m.name === name);
    const declared = described.schemas;
    const events: Record<string, unknown> = {};
    for (const [type, schema] of Object.entries(declared?.events ?? {})) {
      events[type] = standardToJsonSchema(schema);
    }
    return c.json({
      ...summary,
      version: described.version,
      events: eventTypes(definition),
      schemas: {
        events,
        ...(declared?.input && { input: standardToJsonSchema(declared.input) }),
      },
      graph: mermaidGraph(definition),
      chart: machineChart(definition),
    });
  });
}
