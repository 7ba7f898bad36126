import type { Hono } from 'hono';
import { machineChart } from '../../analysis/chart.js';
import { eventTypes, mermaidGraph } from '../../analysis/mermaid.js';
import { type AppContext, type AppEnv, machineParam } from '../context.js';
import { standardToJsonSchema } from '../json-schema.js';

export const MACHINES = '/v1/machines';
export const MACHINE = '/v1/machines/:machine';

/** Registered machines; one machine's versions, event types and schemas, Mermaid graph and chart JSON. */
export function machineRoutes(app: Hono<AppEnv>, ctx: AppContext): void {
  const { engine } = ctx;
  app.get(MACHINES, (c) => c.json({ machines: engine.machines() }));

  app.get(MACHINE, (c) => {
    const name = machineParam(c);
    const definition = engine.getMachine(name);
    const summary = engine.machines().find((m) => m.name === name);
    const declared = engine.definition(name).schemas;
    const events: Record<string, unknown> = {};
    for (const [type, schema] of Object.entries(declared?.events ?? {})) {
      events[type] = standardToJsonSchema(schema);
    }
    return c.json({
      ...summary,
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
