import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { newCaller, parseCallers } from '@govstats/producer';
import { UsageError } from '../runtime.ts';

export const usage = `govstats producer-key --name NAME --source SOURCE [--source …] --division CODE [--division …] [--append FILE]
  A new key for a system that posts events to the producer service, bound to the CloudEvents
  sources it may use (exact, or a prefix ending in *) and the places it speaks for (division-code
  prefixes: 41 a province, 4112 a city, 411202 a county, 411202001 a township). Prints the key once
  (give it to that system; it is not kept) and the entry for PRODUCER_CALLERS_FILE, which holds
  only the key's SHA-256; --append adds the entry to FILE.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      source: { type: 'string', multiple: true },
      division: { type: 'string', multiple: true },
      append: { type: 'string' },
    },
  });
  if (!values.name || !values.source?.length || !values.division?.length)
    throw new UsageError(`--name, --source and --division are required\n\n${usage}`);
  let caller;
  try {
    caller = newCaller({ name: values.name, sources: values.source, divisions: values.division });
  } catch (error) {
    throw new UsageError(`not a valid caller: ${(error as Error).message}`);
  }
  if (values.append) {
    const before = existsSync(values.append) ? readFileSync(values.append, 'utf8') : '';
    const after = before.trim() === '' ? `callers:\n${indent(caller.yaml)}` : `${before.replace(/\n?$/, '\n')}${indent(caller.yaml)}`;
    try {
      parseCallers(after, values.append);
    } catch (error) {
      throw new UsageError(`not appended: ${(error as Error).message}`);
    }
    appendFileSync(values.append, after.slice(before.length));
  }
  process.stdout.write(
    `key (shown once; give it to ${caller.entry.name}): ${caller.key}\n` +
      (values.append
        ? `entry appended to ${values.append}\n`
        : `entry for PRODUCER_CALLERS_FILE (under callers:):\n${indent(caller.yaml)}`),
  );
  return 0;
}

const indent = (yaml: string) => yaml.replace(/^/gm, '  ').replace(/ +$/gm, '');
