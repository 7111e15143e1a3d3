import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { buildProgram } from '../../src/ops/program';

function leaves(cmd: Command): Command[] {
  return cmd.commands.length === 0 ? [cmd] : cmd.commands.flatMap(leaves);
}

describe('ops CLI help', () => {
  it('shows an example for every command', () => {
    const commands = leaves(buildProgram());
    assert.ok(commands.length >= 15, `only ${commands.length} commands found`);
    for (const cmd of commands) {
      let help = '';
      cmd.configureOutput({ writeOut: (text) => (help += text) });
      cmd.outputHelp();
      const path = [];
      for (let c: Command | null = cmd; c?.parent; c = c.parent) path.unshift(c.name());
      assert.match(help, /\nExamples?:\n {2}npm run ops -- /, `ops ${path.join(' ')} --help has no example`);
      assert.ok(
        help.includes(`npm run ops -- ${path.join(' ')}`),
        `ops ${path.join(' ')}: the example runs another command`,
      );
    }
  });
});
