import { createLogger, logFile, routeLogs } from '@govstats/log';
import * as access from './commands/access.ts';
import * as bulletin from './commands/bulletin.ts';
import * as demo from './commands/demo.ts';
import * as divisions from './commands/divisions.ts';
import * as dlq from './commands/dlq.ts';
import * as infra from './commands/infra.ts';
import * as ingest from './commands/ingest.ts';
import * as migrate from './commands/migrate.ts';
import * as produce from './commands/produce.ts';
import * as producerKey from './commands/producer-key.ts';
import * as reconcile from './commands/reconcile.ts';
import * as rollup from './commands/rollup.ts';
import * as serve from './commands/serve.ts';
import * as serveProducer from './commands/serve-producer.ts';
import * as simulate from './commands/simulate.ts';
import { writeAboveProgress } from './output/progress.ts';
import { terminalText } from './output/terminal-text.ts';
import { WarningLines } from './output/warnings.ts';
import { UsageError, logDestination } from './runtime.ts';

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
  'serve-producer': serveProducer,
  'producer-key': producerKey,
  simulate,
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
const warnings = new WarningLines();

/**
 * Decided once, before the command runs: a service's JSON log stays on stderr; anything else
 * logs to a file and shows a person only warnings and errors, in words (output/warnings.ts).
 */
function routeLogsOf(command: string, args: string[]): void {
  const destination = logDestination(command, args);
  if (destination.to === 'stderr') return routeLogs(destination);
  try {
    routeLogs({ ...destination, onWarning: (record) => warnings.show(record) });
  } catch (error) {
    // A home we cannot write to must not stop a command that only reads.
    writeAboveProgress(
      `govstats: warning: cannot write the log file ${destination.path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); logging to stderr`,
    );
  }
}

/** Where to read more, after a command that showed warnings or failed. */
function pointToLogFile(): void {
  const file = logFile();
  if (file) writeAboveProgress(`govstats: the full log is in ${file}`);
}

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
  routeLogsOf(name, args);
  const code = await command.run(args);
  if (warnings.count > 0) pointToLogFile();
  return code;
}

/** Exits once stdout is flushed: piped output (e.g. --json into jq) must not be cut short. */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  if (error instanceof UsageError || (error instanceof Error && /invalid configuration/.test(error.message))) {
    writeAboveProgress(`govstats: ${terminalText(error.message, { keepNewlines: true })}`);
    return exit(2);
  }
  // Said below in words; the record, with its stack, is for the log.
  warnings.stop();
  log.error({ err: error }, 'command failed');
  // A message may quote an event or a user's file: no control character reaches the terminal.
  writeAboveProgress(`govstats: ${terminalText((error as Error)?.message ?? String(error), { keepNewlines: true })}`);
  pointToLogFile();
  exit(1);
});
