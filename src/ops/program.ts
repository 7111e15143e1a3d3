import { Command, CommanderError, Option } from 'commander';
import { positiveInt } from './args';
import { DEFAULT_TIMEOUT_SECONDS } from './temporalFromEnv';
import { registerAuditCommands } from './audit';
import { registerDeployCommands } from './deploy';
import { registerKeyCommands } from './keys';
import { registerPayoutCommands } from './payouts';
import { registerRecoveryCommands } from './recovery';
import { registerReplayCommand } from './replay';
import { registerScheduleCommands } from './schedule';
import { registerSetupCommand } from './setup';

export function buildProgram(): Command {
  const program = new Command('ops')
    .description(
      'Operate the Stark Bank payouts app: setup, invoice schedule, payouts, recovery, audit trail, deploys, project keys',
    )
    .option('--json', 'machine-readable output')
    .addOption(
      new Option(
        '--timeout <seconds>',
        `longest wait on Temporal (default ${DEFAULT_TIMEOUT_SECONDS}; runs 600)`,
      ).argParser(positiveInt),
    )
    // Thrown instead of exiting, so the entry point chooses exit codes: 2 for usage, 1 for failures.
    // Set before the commands are added: subcommands inherit it.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  registerSetupCommand(program);
  registerScheduleCommands(program);
  registerPayoutCommands(program);
  registerRecoveryCommands(program);
  registerAuditCommands(program);
  registerReplayCommand(program);
  registerDeployCommands(program);
  registerKeyCommands(program);
  return program;
}

/** Runs one command; resolves to the process exit code. Errors are printed as one line on stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander already printed its message (or the help it was asked for).
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    // With --json, a script reads the error as JSON too (still on stderr, so stdout stays the result alone).
    if (argv.includes('--json')) process.stderr.write(`${JSON.stringify({ error: oneLine(err) })}\n`);
    else process.stderr.write(`error: ${oneLine(err)}\n`);
    return 1;
  }
}

function oneLine(err: unknown): string {
  // SDK errors put the useful part (e.g. "14 UNAVAILABLE: No connection established") in the cause.
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  const message = err instanceof Error ? `${err.message}${cause}` : String(err);
  const [first = 'unknown error', ...rest] = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return rest.length > 0 ? `${first} ${rest.join('; ')}` : first;
}
