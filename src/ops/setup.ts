import type { Command } from 'commander';
import { loadConfig } from '../config';
import { runSetup, type SetupOutcome } from '../setup';
import { installStarkbankPatches } from '../starkbank/sdkPatches';
import { CliError, emit, examples, formatFields } from './output';

export function registerSetupCommand(program: Command): void {
  program
    .command('setup')
    .description(
      'provision and check the namespace (retention, search attributes, pause switch), the Stark Bank webhook ' +
        'and the schedules; on Temporal Cloud, print what to create (needs the full configuration)',
    )
    .addHelpText('after', examples('setup', 'setup --json'))
    .action(async (_opts: unknown, cmd: Command) => {
      const config = loadConfig();
      installStarkbankPatches(config.stark);
      const outcome = await runSetup(config);
      emit(cmd, outcome, (o) => renderSetup(config.temporal.namespace ?? 'default', o));
      if (outcome.namespace.manual.length > 0) {
        throw new CliError('setup incomplete: create what the steps above name, then run setup again');
      }
    });
}

function renderSetup(namespace: string, o: SetupOutcome): string {
  const fields = formatFields([
    [`Namespace ${namespace}`, o.namespace.namespace],
    ['Retention', o.namespace.retention],
    ['Search attributes', o.namespace.searchAttributes],
    ['Pause switch', o.namespace.pauseSwitch],
    ['Stark Bank webhook', o.webhook],
    [
      'Schedules',
      Object.entries(o.schedules)
        .map(([id, outcome]) => `${id} (${outcome})`)
        .join(', ') || 'not touched until the namespace is ready',
    ],
  ]);
  if (o.namespace.manual.length === 0) return fields;
  return `${fields}\n\nThis cluster does not let setup do these itself; run them, then setup again:\n${o.namespace.manual.map((m) => `  ${m}`).join('\n')}`;
}
