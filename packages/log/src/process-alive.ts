/**
 * Whether a process with this pid exists on this host (signal 0 checks without sending anything).
 * EPERM means it exists under another user. For lock and lease files left by a process that died.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
