import { parseArgs } from 'node:util';
import { formatAccessScript, loadAccessFile, renderAccess } from '@govstats/warehouse';
import { UsageError, config, ddlOptions } from '../runtime.ts';

export const usage = `govstats access render [--file FILE]
  Prints the statements \`govstats migrate\` runs on a ClickHouse server for the access file (FILE,
  else CLICKHOUSE_ACCESS_FILE): roles, grants, the readers' read-only profile, users (passwords as
  SHA-256 only) and row policies, for review before they are applied. See infra/clickhouse/ACCESS.md.`;

export async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'render') throw new UsageError(usage);
  const { values } = parseArgs({ args: rest, options: { file: { type: 'string' } } });
  const cfg = config();
  const file = values.file ?? cfg.clickhouse.accessFile;
  if (!file) throw new UsageError(`name the access file: --file FILE, or set CLICKHOUSE_ACCESS_FILE\n${usage}`);
  let spec: ReturnType<typeof loadAccessFile>;
  try {
    spec = loadAccessFile(file);
  } catch (error) {
    // A mistake in the file is the operator's to fix: say what, without a stack trace.
    throw new UsageError((error as Error).message);
  }
  const statements = renderAccess(spec, ddlOptions(cfg));
  const target = `database ${cfg.clickhouse.database ?? 'default'}${cfg.clickhouse.cluster ? `, ON CLUSTER ${cfg.clickhouse.cluster}` : ''}`;
  process.stdout.write(`-- ${file}: ${statements.length} statements for ${target}\n\n${formatAccessScript(statements)}`);
  return 0;
}
