/**
 * A bounded cache of something derived from a stored definition, by
 * definition id. A stored definition never changes, so entries never go stale;
 * the oldest entry goes when the cache is full, and a failed derivation is not
 * kept.
 */
export class DefinitionCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly limit: number) {}

  get(definitionId: string, derive: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(definitionId);
    if (!entry) {
      entry = derive();
      entry.catch(() => this.entries.delete(definitionId));
      if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(definitionId, entry);
    }
    return entry;
  }
}
