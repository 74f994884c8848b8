/**
 * How long a group member may keep writing what it fetched: until `leaseMs` after its last
 * confirmed heartbeat. The group coordinator gives the partition to another member only after
 * `sessionTimeout` without heartbeats, so with leaseMs below the session timeout, writes that
 * carry the lease's deadline (and a store that refuses expired ones) can never land after the
 * partition has moved on. The gap between the two covers clock skew between hosts.
 */
export interface WriteLease {
  /** Epoch ms after which the store must refuse this member's writes for the batch. */
  deadline(): number;
  /** Confirms membership with a heartbeat when the lease is running low; throws when the member was removed from the group. */
  renew(): Promise<void>;
}

export interface LeaseTiming {
  leaseMs: number;
  /** kafkajs sends a heartbeat only when this long has passed since the last one. */
  heartbeatIntervalMs: number;
}

export function createWriteLease(heartbeat: () => Promise<void>, timing: LeaseTiming, clock: () => number = Date.now): WriteLease {
  let confirmedAt = Number.NEGATIVE_INFINITY;
  const renewBelowMs = timing.leaseMs / 2;
  return {
    deadline: () => confirmedAt + timing.leaseMs,
    async renew() {
      if (confirmedAt + timing.leaseMs - clock() > renewBelowMs) return;
      const askedAt = clock();
      await heartbeat();
      // A throttled heartbeat() sends nothing: the last one went out at most an interval before.
      confirmedAt = askedAt - timing.heartbeatIntervalMs;
    },
  };
}
