/**
 * Reading a list kept over several shards (a webhook's delivery log) as if it were one: each
 * shard is read newest first, a page at a time and only when the merge needs its next item, and
 * the heads are merged by sort key. The result is the page one unsharded, sorted list would give,
 * and its cursor is the last sort key shown, so the next page resumes every shard below it.
 */

/** One read of one shard: its items below `below` (all of them when undefined), newest first. */
export interface ShardRead<T> {
  items: T[];
  /** The last sort key the read examined, when the shard has more below it. */
  lastRead?: string;
}

export interface MergeInput<T> {
  shards: number;
  /** Reads up to `limit` keys of `shard` strictly below `below`, newest first (filters may drop some). */
  read: (shard: number, below: string | undefined, limit: number) => Promise<ShardRead<T>>;
  sortKey: (item: T) => string;
  /** The cursor: only items strictly below it. */
  after?: string;
  limit: number;
  /** Keys a shard's first read examines; each further read of it examines twice as many as its last. */
  perRead: number;
  /**
   * Keys one page may examine, counted as the reads ask, before it stops short with a cursor:
   * bounds the work of a sparse filter. Without a filter every key read is an item, so none is needed.
   */
  maxExamined?: number;
}

interface Shard<T> {
  buffer: T[];
  below: string | undefined;
  done: boolean;
  /** Keys its next read examines. */
  readSize: number;
}

/** A read's size at most: DynamoDB stops a Query at 1 MB anyway. */
const maxReadSize = 1000;

/** A page of at most `limit` items, newest first, and the cursor of the next when there may be one. */
export async function mergeShards<T>(input: MergeInput<T>): Promise<{ items: T[]; next?: string }> {
  const { sortKey, limit } = input;
  const shards: Shard<T>[] = Array.from({ length: input.shards }, () => ({
    buffer: [],
    below: input.after,
    done: false,
    readSize: input.perRead,
  }));
  const out: T[] = [];
  // The newest head among the shards; undefined when every buffer is empty.
  const newest = (): Shard<T> | undefined => {
    let best: Shard<T> | undefined;
    for (const shard of shards) {
      const head = shard.buffer[0];
      if (head === undefined) continue;
      const bestHead = best?.buffer[0];
      if (bestHead === undefined || sortKey(head) > sortKey(bestHead)) best = shard;
    }
    return best;
  };

  let examined = 0;
  let floor: string | undefined;
  while (out.length <= limit) {
    // An item may be taken only when every shard that has more shows its head: refill those first.
    const starved = shards.filter((s) => !s.done && s.buffer.length === 0);
    if (starved.length > 0) {
      if (examined >= (input.maxExamined ?? Number.POSITIVE_INFINITY)) {
        // Out of reads: what the starved shards have not read yet lies below the highest point
        // they reached, so everything above it is known and can be shown, and the cursor is it.
        // (Each has been read at least once, the first round reading every shard, so each has a point.)
        floor = starved
          .map((s) => s.below ?? '')
          .sort()
          .pop();
        break;
      }
      examined += starved.reduce((sum, shard) => sum + shard.readSize, 0);
      await Promise.all(
        starved.map(async (shard) => {
          const page = await input.read(shards.indexOf(shard), shard.below, shard.readSize);
          // A shard that needed another read holds more of the page than its share: read wider.
          shard.readSize = Math.min(shard.readSize * 2, maxReadSize);
          shard.buffer = page.items;
          if (page.lastRead === undefined) shard.done = true;
          else shard.below = page.lastRead;
        }),
      );
      continue;
    }
    const shard = newest();
    const item = shard?.buffer.shift();
    if (item === undefined) break;
    out.push(item);
  }
  if (floor !== undefined) {
    const bound = floor;
    for (let shard = newest(); out.length <= limit && shard; shard = newest()) {
      const head = shard.buffer[0];
      if (head === undefined || sortKey(head) <= bound) break;
      out.push(head);
      shard.buffer.shift();
    }
  }
  if (out.length > limit) {
    const shown = out.slice(0, limit);
    const last = shown[shown.length - 1];
    return last === undefined ? { items: shown } : { items: shown, next: sortKey(last) };
  }
  return floor === undefined ? { items: out } : { items: out, next: floor };
}
