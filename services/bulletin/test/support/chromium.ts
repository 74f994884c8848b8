import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/*
 * Real headless Chromium, driven through its command line (no playwright/puppeteer dependency):
 * the Debian `chromium` package, plus `fonts-noto-cjk` so Chinese renders as glyphs, not boxes.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';
const PACKAGES = ['chromium', 'fonts-noto-cjk'];
const INSTALL_TIMEOUT_MS = 540_000;

function hasCjkFont(): boolean {
  const result = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim().length > 0;
}

function tail(text: string | null | undefined, lines = 25): string {
  return (text ?? '').trim().split('\n').slice(-lines).join('\n');
}

/**
 * Returns the path of the Chromium binary, installing Chromium and a CJK font with apt-get first
 * when either is missing (as root, non-interactively). Throws with the reason when that fails.
 */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM_PATH) && hasCjkFont()) return CHROMIUM_PATH;

  const how = `apt-get update && apt-get install -y --no-install-recommends ${PACKAGES.join(' ')}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`Chromium or a CJK font is missing and this is not root, so it cannot be installed here. Install it with: sudo ${how}`);
  }
  if (spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status !== 0) {
    throw new Error(
      `Chromium (${CHROMIUM_PATH}) or a CJK font is missing and there is no apt-get to install it; install the equivalent of: ${how}`,
    );
  }
  const started = Date.now();
  const result = spawnSync('sh', ['-c', how], {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: INSTALL_TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error || result.status !== 0) {
    const reason = result.error ? result.error.message : `exit status ${result.status}`;
    throw new Error(
      `Installing Chromium failed (${reason}) after ${Math.round((Date.now() - started) / 1000)} s: ${how}\n${tail(result.stderr) || tail(result.stdout)}`,
    );
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get reported success but ${CHROMIUM_PATH} does not exist:\n${tail(result.stdout)}`);
  if (!hasCjkFont()) throw new Error('fonts-noto-cjk was installed but fontconfig lists no Chinese font (fc-list :lang=zh)');
  return CHROMIUM_PATH;
}

export interface ChromiumRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

const CHROMIUM_TIMEOUT_MS = 120_000;

/**
 * Runs headless Chromium once on a local file with a throwaway profile. Name resolution is mapped
 * to nowhere, so a page that tried to fetch anything from the network could not get it.
 */
export function runChromium(chromium: string, file: string, extraArgs: string[]): ChromiumRun {
  const profile = mkdtempSync(join(tmpdir(), 'bulletin-chromium-'));
  try {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--hide-scrollbars',
      '--host-resolver-rules=MAP * ~NOTFOUND',
      `--user-data-dir=${profile}`,
      ...extraArgs,
      pathToFileURL(file).href,
    ];
    const result = spawnSync(chromium, args, {
      encoding: 'utf8',
      timeout: CHROMIUM_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) throw new Error(`Chromium did not run: ${result.error.message}\n${tail(result.stderr)}`);
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Screenshot of the page's first `width`×`height` CSS pixels into `png`. */
export function screenshot(chromium: string, file: string, png: string, width: number, height: number): ChromiumRun {
  const run = runChromium(chromium, file, [`--screenshot=${png}`, `--window-size=${width},${height}`, '--force-device-scale-factor=1']);
  if (run.status !== 0 || !existsSync(png)) {
    throw new Error(`Chromium screenshot of ${file} failed (exit status ${run.status}):\n${tail(run.stderr)}`);
  }
  return run;
}

/** The DOM after Chromium has loaded and laid out the page, serialised. */
export function dumpDom(chromium: string, file: string): string {
  const run = runChromium(chromium, file, ['--dump-dom']);
  if (run.status !== 0 || run.stdout.trim() === '') {
    throw new Error(`Chromium --dump-dom of ${file} failed (exit status ${run.status}):\n${tail(run.stderr)}`);
  }
  return run.stdout;
}
