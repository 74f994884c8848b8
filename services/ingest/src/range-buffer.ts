import type { SourceBatch } from '@govstats/kafka';

/**
 * Messages of a recorded intent's range that arrived over several fetches (the fetch size was
 * lowered since the intent was written, or the broker returned less): kept until the whole range
 * is here, so a replay never waits for a fetch that can no longer happen.
 */
export class RangeBuffer {
  readonly #kept = new Map<string, SourceBatch>();

  /** The fetched batch, behind the messages kept for its partition when it continues them. */
  join(fetched: SourceBatch): SourceBatch {
    const id = `${fetched.topic}:${fetched.partition}`;
    const kept = this.#kept.get(id);
    this.#kept.delete(id);
    if (!kept) return fetched;
    const keptLast = BigInt(kept.messages[kept.messages.length - 1]!.offset);
    // A fetch from an earlier offset (rebalance, restart) starts over with what it brings.
    if (BigInt(fetched.messages[0]!.offset) <= keptLast) return fetched;
    return { ...fetched, messages: [...kept.messages, ...fetched.messages] };
  }

  keep(batch: SourceBatch): void {
    this.#kept.set(`${batch.topic}:${batch.partition}`, batch);
  }
}
