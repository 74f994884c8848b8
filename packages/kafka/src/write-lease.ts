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
  /**
   * Confirms membership with a heartbeat when the lease is running low; throws when the member was
   * removed from the group, or when the lease has run out and no heartbeat gets through.
   */
  renew(): Promise<void>;
}

export interface LeaseTiming {
  leaseMs: number;
  /** kafkajs sends a heartbeat only when this long has passed since the last one. */
  heartbeatIntervalMs: number;
}

/** kafkajs's errors when this member's generation is over: what it was working on is someone else's now. */
export function isMembershipLost(error: unknown): boolean {
  const { type = '', message = '' } = (error ?? {}) as { type?: string; message?: string };
  return (
    /REBALANCE_IN_PROGRESS|UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION|FENCED_INSTANCE_ID/.test(type) ||
    /rebalanc|not a member|unknown member|illegal generation|not aware of this member/i.test(message)
  );
}

/**
 * The group coordinator moved or is away (a broker failed over): kafkajs finds the new one only
 * when it rejoins, so a batch that keeps retrying inside eachBatch would wait for nothing.
 */
export function isCoordinatorUnreachable(error: unknown): boolean {
  const { type = '', message = '' } = (error ?? {}) as { type?: string; message?: string };
  return /NOT_COORDINATOR|COORDINATOR_NOT_AVAILABLE|COORDINATOR_LOAD_IN_PROGRESS/.test(type) || /coordinator/i.test(message);
}

export function createWriteLease(heartbeat: () => Promise<void>, timing: LeaseTiming, clock: () => number = Date.now): WriteLease {
  let confirmedAt = Number.NEGATIVE_INFINITY;
  const renewBelowMs = timing.leaseMs / 2;
  return {
    deadline: () => confirmedAt + timing.leaseMs,
    async renew() {
      const remaining = confirmedAt + timing.leaseMs - clock();
      if (remaining > renewBelowMs) return;
      const askedAt = clock();
      try {
        await heartbeat();
      } catch (error) {
        // A heartbeat lost to a moving coordinator or a dropped connection says nothing about
        // membership: writing goes on while the lease lasts (the store enforces its end).
        if (isMembershipLost(error) || remaining <= 0) throw error;
        return;
      }
      // A throttled heartbeat() sends nothing: the last one went out at most an interval before.
      confirmedAt = askedAt - timing.heartbeatIntervalMs;
    },
  };
}
