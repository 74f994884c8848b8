/**
 * Another process issuing a city's bulletins, as far as the lock sees it: takes the issuer lock,
 * says `held`, and keeps it until its stdin is closed (or it is killed).
 * Usage: node --import tsx hold-issuer-lock.ts LOCK_FILE CITY_CODE
 */
import { withIssuerLock } from '../../src/issuer-lock.ts';

const [lockFile, cityCode] = process.argv.slice(2);
if (!lockFile || !cityCode) throw new Error('usage: hold-issuer-lock.ts LOCK_FILE CITY_CODE');
await withIssuerLock(lockFile, cityCode, 0, async () => {
  process.stdout.write('held\n');
  await new Promise<void>((resolve) => {
    process.stdin.on('end', resolve);
    process.stdin.resume();
  });
});
