import type { Command } from 'commander';

/** Find or create a command group (e.g. `data` holding `validate` and `fetch`), so each subcommand registers independently. */
export function commandGroup(program: Command, name: string, description: string): Command {
  const existing = program.commands.find((command) => command.name() === name);
  if (existing) return existing;
  return program.command(name).description(description);
}
