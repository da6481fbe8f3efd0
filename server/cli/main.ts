import { Command } from 'commander';
import { commands } from './commands.ts';

const program = new Command('vigil')
  .description('Vigil: analytics and risk monitoring for online direct sales')
  .showHelpAfterError()
  .enablePositionalOptions();

for (const cmd of commands()) program.addCommand(cmd);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`vigil: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
