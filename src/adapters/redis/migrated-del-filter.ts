/** Events that write a key: one of them after a `del` means the key was deleted, then written again. */
const WRITES = new Set(['set', 'setex', 'expire', 'persist']);

/**
 * Keyspace events of a cluster, with the `del`s of a resharding taken out. A resharding moves keys with
 * MIGRATE, which the source master announces as `del` (and the target as `restore`): a session moved is
 * not a session deleted. So a `del` is passed on only when the key is gone from the cluster (`exists`,
 * which follows the redirect to its new node), or when a write of the key came in meanwhile. Events of a
 * key whose `del` is being checked are held back, so each key's events stay in order.
 */
export class MigratedDelFilter {
  private readonly held = new Map<string, string[]>();

  constructor(
    private readonly exists: (key: string) => Promise<boolean>,
    private readonly emit: (key: string, event: string) => void,
  ) {}

  deliver(key: string, event: string): void {
    const later = this.held.get(key);
    if (later) {
      later.push(event);
      return;
    }
    if (event !== 'del') {
      this.emit(key, event);
      return;
    }
    this.held.set(key, []);
    void this.exists(key).then(
      (found) => this.settle(key, found),
      () => this.settle(key, false),
    );
  }

  private settle(key: string, exists: boolean): void {
    const later = this.held.get(key) ?? [];
    this.held.delete(key);
    if (!exists || later.some((e) => WRITES.has(e))) this.emit(key, 'del');
    for (const e of later) this.deliver(key, e);
  }
}
