import { Command, CommanderError } from 'commander';
import { registryCommand } from './registry-command';
import { principalsCommand } from './principals-command';

/** `ingot`: the registry server and its administration. */
export function buildProgram(): Command {
  const program = new Command('ingot')
    .description('Ingot golden image platform: image registry and tooling.')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(registryCommand());
  program.addCommand(principalsCommand());
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    console.error(`ingot: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

void main();
