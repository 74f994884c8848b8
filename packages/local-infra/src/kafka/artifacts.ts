import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { createLogger } from '@govstats/log';
import { requireMaven } from './executables.ts';
import { indent, lastLines } from './log-tail.ts';
import { runCommand } from './run-command.ts';
import { kafkaSettings } from './settings.ts';
import { KAFKA_VERSION } from './version.ts';

const log = createLogger('local-kafka');

/** First resolution downloads ~90 jars; allow for a slow mirror. */
const MAVEN_TIMEOUT_MS = 10 * 60_000;

let inFlight: Promise<string> | undefined;

/**
 * The Java classpath (jar paths joined with the platform delimiter) for the Kafka broker and tools.
 * Resolved once with Maven and cached under ${GOVSTATS_HOME}/kafka; the cache is reused while
 * every jar in it still exists and infra/kafka/pom.xml is unchanged.
 */
export function ensureKafkaClasspath(): Promise<string> {
  inFlight ??= resolveClasspath().finally(() => {
    inFlight = undefined;
  });
  return inFlight;
}

async function resolveClasspath(): Promise<string> {
  const settings = kafkaSettings();
  const classpathFile = join(settings.kafkaHome, `classpath-${KAFKA_VERSION}.txt`);
  const pomHashFile = join(settings.kafkaHome, `classpath-${KAFKA_VERSION}.pom-sha256`);

  const pom = await readPom(settings.pomFile);
  const pomHash = createHash('sha256').update(pom).digest('hex');

  const cached = await readCachedClasspath(classpathFile, pomHashFile, pomHash);
  if (cached) return cached;

  const mvn = await requireMaven();
  await mkdir(settings.kafkaHome, { recursive: true });
  // Maven writes to a private file that is renamed into place, so a concurrent reader never
  // sees a half-written classpath.
  const partialFile = `${classpathFile}.${process.pid}.partial`;
  const started = Date.now();
  log.info({ pom: settings.pomFile, kafkaVersion: KAFKA_VERSION }, 'resolving Kafka jars with Maven (first run downloads them)');
  const result = await runCommand(
    mvn,
    ['-q', '-B', '-f', settings.pomFile, 'dependency:build-classpath', `-Dmdep.outputFile=${partialFile}`, '-Dmdep.includeScope=runtime'],
    { timeoutMs: MAVEN_TIMEOUT_MS },
  );
  if (result.exitCode !== 0) {
    await rm(partialFile, { force: true });
    throw new Error(
      `mvn could not resolve the Kafka ${KAFKA_VERSION} jars (exit ${result.exitCode ?? result.signal}). ` +
        `Check network access to Maven Central (or your ~/.m2/settings.xml mirror) and retry. Last mvn output:\n` +
        indent(lastLines(result.output, 30) || '(no output)'),
    );
  }
  const classpath = (await readFile(partialFile, 'utf8')).trim();
  if (!classpath) {
    await rm(partialFile, { force: true });
    throw new Error(`mvn produced an empty classpath for ${settings.pomFile}; run the mvn command by hand to see why`);
  }
  await rename(partialFile, classpathFile);
  await writeFile(pomHashFile, `${pomHash}\n`);
  log.info({ jars: classpath.split(delimiter).length, ms: Date.now() - started, classpathFile }, 'Kafka classpath resolved');
  return classpath;
}

async function readPom(pomFile: string): Promise<string> {
  let pom: string;
  try {
    pom = await readFile(pomFile, 'utf8');
  } catch {
    throw new Error(`${pomFile} is missing: it lists the Kafka jars to download; restore it from git`);
  }
  const pinned = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom)?.[1];
  if (pinned !== KAFKA_VERSION) {
    throw new Error(
      `${pomFile} pins kafka.version ${pinned ?? '(none)'} but @govstats/local-infra expects ${KAFKA_VERSION}: ` +
        'keep the pom and packages/local-infra/src/kafka/version.ts on the same release',
    );
  }
  return pom;
}

async function readCachedClasspath(classpathFile: string, pomHashFile: string, pomHash: string): Promise<string | undefined> {
  try {
    const [classpath, storedHash] = await Promise.all([readFile(classpathFile, 'utf8'), readFile(pomHashFile, 'utf8')]);
    if (storedHash.trim() !== pomHash) return undefined;
    const jars = classpath.trim().split(delimiter);
    if (jars.length === 0 || jars[0] === '') return undefined;
    // A cleaned ~/.m2 leaves the cache pointing at nothing; then resolve again.
    await Promise.all(jars.map((jar) => access(jar)));
    return classpath.trim();
  } catch {
    return undefined;
  }
}
