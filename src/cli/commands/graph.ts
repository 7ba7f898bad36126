import type { Command } from 'commander';
import { mermaidGraph } from '../../analysis/mermaid.js';
import { loadModule } from '../../host/module.js';
import { instancePath } from '../client.js';
import { CliError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { type ClientFlags, clientOf, outputOf, withClientFlags } from '../options.js';

/** `graph`: Mermaid stateDiagram-v2 of a machine, from a module file or a running server. */
export function graphCommand(program: Command, io: CliIo): void {
  withClientFlags(
    program
      .command('graph')
      .description(
        'print a Mermaid state diagram of a machine (from --module, else from the server)',
      )
      .argument('<machine>')
      .option(
        '--module <file>',
        'read the definition from this machine module instead of the server',
      ),
  ).action(async (machine: string, flags: ClientFlags & { module?: string }) => {
    const graph = flags.module
      ? await fromModule(flags.module, machine, io)
      : await fromServer(machine, flags, io);
    outputOf(flags, io).result({ machine, graph }, () => graph.trimEnd());
  });
}

async function fromModule(file: string, machine: string, io: CliIo): Promise<string> {
  const mod = await loadModule(file, io.cwd);
  const reg = mod.registrations.filter((r) => r.machine.id === machine).at(-1);
  if (!reg) {
    const names = mod.registrations.map((r) => r.machine.id).join(', ');
    throw new CliError(
      'MACHINE_NOT_FOUND',
      `${file} has no machine "${machine}" (it has ${names}).`,
    );
  }
  return mermaidGraph(reg.machine);
}

async function fromServer(machine: string, flags: ClientFlags, io: CliIo): Promise<string> {
  const path = instancePath(machine).replace(/\/instances$/, '');
  const detail = await clientOf(flags, io).json<{ graph: string }>('GET', path);
  return detail.graph;
}
