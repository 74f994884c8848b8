import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { readVariable } from '@govstats/config';
import { runCommand } from './run-command.ts';

/** Kafka 4 brokers refuse to start on older JVMs. */
const MINIMUM_JAVA_MAJOR = 17;

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Looks a command up on PATH without spawning a shell (`which` is not installed everywhere). */
export async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of readVariable('PATH').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

let javaPromise: Promise<string> | undefined;

/** Path of a Java 17+ executable, preferring $JAVA_HOME; checked once per process. */
export function requireJava(): Promise<string> {
  javaPromise ??= locateJava().catch((error: unknown) => {
    javaPromise = undefined; // let a later call retry after the user installs a JDK
    throw error;
  });
  return javaPromise;
}

async function locateJava(): Promise<string> {
  const javaHome = readVariable('JAVA_HOME');
  const fromJavaHome = javaHome ? join(javaHome, 'bin', 'java') : undefined;
  const java = fromJavaHome && (await isExecutable(fromJavaHome)) ? fromJavaHome : await findOnPath('java');
  if (!java) {
    throw new Error('java not found: install a JDK 17+ (apt-get install openjdk-17-jre-headless) or set JAVA_HOME');
  }
  const { output } = await runCommand(java, ['-version'], { timeoutMs: 30_000 });
  const major = parseJavaMajorVersion(output);
  if (major !== undefined && major < MINIMUM_JAVA_MAJOR) {
    throw new Error(
      `${java} is Java ${major}, but Kafka needs Java ${MINIMUM_JAVA_MAJOR}+: install openjdk-17-jre-headless (or newer) and put it first on PATH or in JAVA_HOME`,
    );
  }
  return java;
}

/** `java -version` prints e.g. `openjdk version "17.0.15"` or, for Java 8, `"1.8.0_392"`. */
export function parseJavaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

/** Path of Maven, which resolves the Kafka jars from Maven Central. */
export async function requireMaven(): Promise<string> {
  const mvn = await findOnPath('mvn');
  if (!mvn) {
    throw new Error(
      'mvn not found: install Maven 3.8+ (apt-get install maven); it downloads the Kafka jars listed in infra/kafka/pom.xml from Maven Central',
    );
  }
  return mvn;
}
