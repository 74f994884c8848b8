import { describe, expect, it } from 'vitest';
import { backoffDelay, pollUntil, retry, waitUntil, WaitTimeoutError } from '../src/wait.ts';

/** A clock that only moves when the code under test sleeps. */
function fakeTime() {
  const slept: number[] = [];
  let t = 1_000_000;
  return {
    slept,
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
    advance: (ms: number) => void (t += ms),
  };
}

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, without jitter exactly', () => {
    const backoff = { initialMs: 500, maxMs: 5_000, jitter: 'none' } as const;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(backoff, n))).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('stays at the cap however many failures there were', () => {
    expect(backoffDelay({ initialMs: 500, maxMs: 30_000, jitter: 'none' }, 5_000)).toBe(30_000);
  });

  it('honours another factor', () => {
    expect([1, 2, 3].map((n) => backoffDelay({ initialMs: 100, maxMs: 10_000, factor: 3, jitter: 'none' }, n))).toEqual([100, 300, 900]);
  });

  it('equal jitter picks in [delay/2, delay]; it is the default', () => {
    const backoff = { initialMs: 1_000, maxMs: 60_000 };
    expect(backoffDelay(backoff, 3, () => 0)).toBe(2_000);
    expect(backoffDelay(backoff, 3, () => 0.5)).toBe(3_000);
    expect(backoffDelay(backoff, 3, () => 0.999_999)).toBe(4_000);
  });

  it('full jitter picks in [0, delay]', () => {
    const backoff = { initialMs: 1_000, maxMs: 60_000, jitter: 'full' } as const;
    expect(backoffDelay(backoff, 2, () => 0)).toBe(0);
    expect(backoffDelay(backoff, 2, () => 0.25)).toBe(500);
  });
});

describe('retry', () => {
  it('retries until the attempt succeeds, pausing for the backoff and telling onRetry', async () => {
    const time = fakeTime();
    const retries: Array<[string, number, number]> = [];
    const result = await retry(
      async (n) => {
        if (n < 3) throw new Error(`failure ${n}`);
        return `done on ${n}`;
      },
      {
        backoff: { initialMs: 500, maxMs: 5_000 },
        random: () => 0,
        sleep: time.sleep,
        now: time.now,
        onRetry: (e, n, ms) => retries.push([(e as Error).message, n, ms]),
      },
    );
    expect(result).toBe('done on 3');
    expect(time.slept).toEqual([250, 500]);
    expect(retries).toEqual([
      ['failure 1', 1, 250],
      ['failure 2', 2, 500],
    ]);
  });

  it('throws the last error unchanged once the attempts are used up', async () => {
    const time = fakeTime();
    let calls = 0;
    const failing = retry(
      async (n) => {
        calls++;
        throw new Error(`failure ${n}`);
      },
      { backoff: { initialMs: 10, maxMs: 10 }, attempts: 4, sleep: time.sleep, now: time.now },
    );
    await expect(failing).rejects.toThrow('failure 4');
    expect(calls).toBe(4);
    expect(time.slept).toHaveLength(3);
  });

  it('throws at once an error that is not retryable', async () => {
    const time = fakeTime();
    const fatal = new Error('bad request');
    await expect(
      retry(() => Promise.reject(fatal), { backoff: { initialMs: 10, maxMs: 10 }, retryable: (e) => e !== fatal, sleep: time.sleep }),
    ).rejects.toBe(fatal);
    expect(time.slept).toEqual([]);
  });

  it('gives up once giveUpAfterMs has passed since the first attempt', async () => {
    const time = fakeTime();
    let calls = 0;
    const failing = retry(
      async () => {
        calls++;
        throw new Error('down');
      },
      { backoff: { initialMs: 1_000, maxMs: 1_000, jitter: 'none' }, giveUpAfterMs: 3_500, sleep: time.sleep, now: time.now },
    );
    await expect(failing).rejects.toThrow('down');
    // Failures at 0, 1, 2 and 3 s are within the time; the one at 4 s is past it.
    expect(calls).toBe(5);
  });

  it('lets a sleep that throws end the retrying (e.g. a consumer that lost its partition)', async () => {
    const abandoned = new Error('abandoned');
    const failing = retry(() => Promise.reject(new Error('store down')), {
      backoff: { initialMs: 10, maxMs: 10 },
      sleep: () => Promise.reject(abandoned),
    });
    await expect(failing).rejects.toBe(abandoned);
  });
});

describe('pollUntil', () => {
  it('returns the first value the condition gives', async () => {
    const time = fakeTime();
    let n = 0;
    expect(
      await pollUntil(() => (++n === 3 ? { ready: n } : undefined), {
        timeoutMs: 10_000,
        intervalMs: 200,
        sleep: time.sleep,
        now: time.now,
      }),
    ).toEqual({ ready: 3 });
    expect(time.slept).toEqual([200, 200]);
  });

  it('returns undefined on timeout, after a last check at or past the deadline', async () => {
    const time = fakeTime();
    const checkedAt: number[] = [];
    const start = time.now();
    const result = await pollUntil(
      () => {
        checkedAt.push(time.now() - start);
        return false;
      },
      { timeoutMs: 1_000, intervalMs: 400, sleep: time.sleep, now: time.now },
    );
    expect(result).toBeUndefined();
    expect(checkedAt).toEqual([0, 400, 800, 1_200]);
  });

  it('checks once with no time at all', async () => {
    const time = fakeTime();
    let calls = 0;
    expect(await pollUntil(() => ++calls > 5, { timeoutMs: 0, intervalMs: 100, sleep: time.sleep, now: time.now })).toBeUndefined();
    expect(calls).toBe(1);
  });

  it('treats tolerated errors as "not yet" and ends on any other', async () => {
    const time = fakeTime();
    let n = 0;
    const transient = (e: unknown) => (e as Error).message === 'not yet';
    expect(
      await pollUntil(
        () => {
          if (++n < 3) throw new Error('not yet');
          return 'ok';
        },
        { timeoutMs: 10_000, intervalMs: 100, tolerate: transient, sleep: time.sleep, now: time.now },
      ),
    ).toBe('ok');
    await expect(
      pollUntil(() => Promise.reject(new Error('gone')), {
        timeoutMs: 10_000,
        intervalMs: 100,
        tolerate: transient,
        sleep: time.sleep,
        now: time.now,
      }),
    ).rejects.toThrow('gone');
  });

  it('calls onWait before each pause only', async () => {
    const time = fakeTime();
    let waits = 0;
    let n = 0;
    await pollUntil(() => ++n === 3, { timeoutMs: 10_000, intervalMs: 100, onWait: () => waits++, sleep: time.sleep, now: time.now });
    expect(waits).toBe(2);
  });
});

describe('waitUntil', () => {
  it('returns the value when the condition is met', async () => {
    expect(await waitUntil(() => 42, { timeoutMs: 0, intervalMs: 100, what: 'the answer' })).toBe(42);
  });

  it('says on timeout what was waited for, the last tolerated error and the detail', async () => {
    const time = fakeTime();
    const cause = new Error('connection refused');
    const waiting = waitUntil(
      () => {
        throw cause;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 500,
        tolerate: () => true,
        what: 'topic t to have a leader',
        detail: () => 'check the broker log',
        sleep: time.sleep,
        now: time.now,
      },
    );
    await expect(waiting).rejects.toThrow(
      new WaitTimeoutError(
        'timed out after 30 s waiting for topic t to have a leader (last error: connection refused): check the broker log',
      ),
    );
    await expect(waiting).rejects.toMatchObject({ name: 'WaitTimeoutError', cause });
  });
});
