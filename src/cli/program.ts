import { Command, CommanderError } from 'commander';
import { bucketsCommand } from './buckets-command';
import { channelsCommand } from './channels-command';
import { cliMessage } from './cli-errors';
import { driftCommand } from './drift-command';
import { enforcedBlocksCommand } from './enforced-blocks-command';
import { EXIT, EXIT_CODE_TABLE, ExitError } from './exit-codes';
import { imagesCommand } from './images-command';
import { importCommand } from './import-command';
import { io, withIo, type CliIo } from './io';
import { principalsCommand } from './principals-command';
import { publishCommand } from './publish-command';
import { registryCommand } from './registry-command';
import { resolveCommand } from './resolve-command';
import { scalerCommand } from './scaler-command';
import { revokeCommands } from './revoke-command';
import { buildsCommand, versionsCommand } from './versions-command';

/**
 * Every command throws instead of exiting (so `runCli` returns the exit code) and
 * reports usage errors as `ingot: …` on stderr, like the errors of the commands
 * themselves; help and errors go to the run's io.
 */
function configureTree(command: Command): void {
  command.exitOverride().configureOutput({
    writeOut: (text) => io().stdout.write(text),
    writeErr: (text) => io().stderr.write(text),
    outputError: (text, write) => write(text.replace(/^error: /, 'ingot: ')),
  });
  command.commands.forEach(configureTree);
}

const EXIT_HELP = `\nExit codes:\n${EXIT_CODE_TABLE.map(([code, meaning]) => `  ${code}  ${meaning}`).join('\n')}\n`;

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
  program.addCommand(enforcedBlocksCommand());
  for (const command of revokeCommands()) program.addCommand(command);
  program.addCommand(publishCommand());
  program.addCommand(resolveCommand());
  program.addCommand(driftCommand());
  program.addCommand(importCommand());
  program.addCommand(imagesCommand());
  program.addCommand(scalerCommand());
  program.addHelpText('after', EXIT_HELP);
  configureTree(program);
  return program;
}

/** Runs `ingot <args>` with `target` as its io; resolves to the exit code (see EXIT). */
export function runCli(args: string[], target: CliIo): Promise<number> {
  return withIo(target, async () => {
    try {
      await buildProgram().parseAsync(args, { from: 'user' });
      return EXIT.ok;
    } catch (error) {
      if (error instanceof CommanderError) {
        // Help and --version "fail" with code 0; everything else is a usage error.
        return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      }
      target.stderr.write(`ingot: ${cliMessage(error)}\n`);
      return error instanceof ExitError ? error.exitCode : EXIT.failure;
    }
  });
}
