import { Command, CommanderError } from 'commander';
import { bucketsCommand } from './buckets-command';
import { channelsCommand } from './channels-command';
import { driftCommand } from './drift-command';
import { ExitError } from './exit-codes';
import { imagesCommand } from './images-command';
import { principalsCommand } from './principals-command';
import { publishCommand } from './publish-command';
import { registryCommand } from './registry-command';
import { resolveCommand } from './resolve-command';
import { scalerCommand } from './scaler-command';
import { revokeCommands } from './revoke-command';
import { buildsCommand, versionsCommand } from './versions-command';

/**
 * Every command throws instead of exiting (so `main` sets the exit code) and reports
 * usage errors as `ingot: …` on stderr, like the errors of the commands themselves.
 */
function configureTree(command: Command): void {
  command
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'ingot: ')) });
  command.commands.forEach(configureTree);
}

/** `ingot`: the registry server, its administration, and the registry's content. */
export function buildProgram(): Command {
  const program = new Command('ingot')
    .description('Ingot golden image platform: image registry and tooling.')
    .showHelpAfterError();
  program.addCommand(registryCommand());
  program.addCommand(principalsCommand());
  program.addCommand(bucketsCommand());
  program.addCommand(versionsCommand());
  program.addCommand(buildsCommand());
  program.addCommand(channelsCommand());
  for (const command of revokeCommands()) program.addCommand(command);
  program.addCommand(publishCommand());
  program.addCommand(resolveCommand());
  program.addCommand(driftCommand());
  program.addCommand(imagesCommand());
  program.addCommand(scalerCommand());
  configureTree(program);
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
    process.exitCode = error instanceof ExitError ? error.exitCode : 1;
  }
}

void main();
