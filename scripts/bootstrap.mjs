// First step of `npm run demo` and `npm test` on a fresh clone: installs the pinned pnpm and the
// workspace dependencies when they are missing or older than the lockfile. Plain Node, no deps.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM = 'pnpm@10.34.8';
const marker = join(root, 'node_modules', '.modules.yaml');
const lockfile = join(root, 'pnpm-lock.yaml');

const upToDate = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lockfile).mtimeMs;
if (!upToDate) {
  console.error(`govstats: installing dependencies with ${PNPM} (first run takes a minute; chdb brings ~550 MB)`);
  const localPnpm = join(root, 'node_modules', '.bin', 'pnpm');
  const [command, args] = existsSync(localPnpm)
    ? [localPnpm, ['install', '--frozen-lockfile']]
    : ['npx', ['--yes', PNPM, 'install', '--frozen-lockfile']];
  try {
    execFileSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, npm_config_loglevel: 'error' } });
  } catch {
    console.error('govstats: dependency installation failed (see above). Check access to the npm registry and run `npm test` again.');
    process.exit(1);
  }
}
