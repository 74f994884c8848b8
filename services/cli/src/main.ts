import { createLogger } from '@govstats/log';
import * as access from './commands/access.ts';
import * as bulletin from './commands/bulletin.ts';
import * as demo from './commands/demo.ts';
import * as divisions from './commands/divisions.ts';
import * as dlq from './commands/dlq.ts';
import * as infra from './commands/infra.ts';
import * as ingest from './commands/ingest.ts';
import * as migrate from './commands/migrate.ts';
import * as produce from './commands/produce.ts';
import * as reconcile from './commands/reconcile.ts';
import * as rollup from './commands/rollup.ts';
import * as serve from './commands/serve.ts';
import { terminalText } from './output/terminal-text.ts';
import { UsageError } from './runtime.ts';

interface Command {
  usage: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  infra,
  migrate,
  access,
  divisions,
  produce,
  ingest,
  rollup,
  dlq,
  reconcile,
  bulletin,
  serve,
  demo,
};

function help(): string {
  return `govstats — grassroots-governance statistics pipeline\n\n${Object.values(COMMANDS)
    .map((c) => c.usage)
    .join('\n\n')}\n`;
}

const log = createLogger('cli');

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`unknown command: ${name}\n\n${help()}`);
    return 2;
  }
  return command.run(args);
}

/** Exits once stdout is flushed: piped output (e.g. --json into jq) must not be cut short. */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  if (error instanceof UsageError || (error instanceof Error && /invalid configuration/.test(error.message))) {
    process.stderr.write(`govstats: ${terminalText(error.message, { keepNewlines: true })}\n`);
    return exit(2);
  }
  log.error({ err: error }, 'command failed');
  // A message may quote an event or a user's file: no control character reaches the terminal.
  process.stderr.write(`govstats: ${terminalText((error as Error)?.message ?? String(error), { keepNewlines: true })}\n`);
  exit(1);
});
