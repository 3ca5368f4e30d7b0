/**
 * Ids that the hub of a shared connection gives on behalf of its tabs (call ids, stats requests): each tab draws
 * its own from its own counter, so the same number can come from two tabs. The hub gives each its own id, and
 * finds the tab and the tab's id again from it.
 * @internal
 */
export class HubIds {
  /** The hub's id to the tab and the tab's own id. */
  readonly #owners = new Map<number, readonly [tab: string, own: number]>();
  /** Each tab's own ids to the hub's. */
  readonly #byTab = new Map<string, Map<number, number>>();
  readonly #step: number;
  #last = 0;

  /** Ids go up by `step` (2 keeps call ids even, as the facade's are). */
  constructor(step: number) {
    this.#step = step;
  }

  /** The hub's id for the tab's `own` id: a new one, or with `reuse` the one it has already. */
  issue(tab: string, own: number, reuse = false): number {
    const ids = this.#byTab.get(tab) ?? new Map<number, number>();
    this.#byTab.set(tab, ids);
    const known = reuse ? ids.get(own) : undefined;
    if (known !== undefined) return known;
    const id = (this.#last += this.#step);
    ids.set(own, id);
    this.#owners.set(id, [tab, own]);
    return id;
  }

  /** Who owns the hub's `id`; with `settle`, the id is forgotten. */
  owner(id: number, settle = false): readonly [tab: string, own: number] | undefined {
    const owner = this.#owners.get(id);
    if (owner && settle) this.#forget(id, owner);
    return owner;
  }

  /** Forgets the tab's `own` id, and returns the hub's. */
  withdraw(tab: string, own: number): number | undefined {
    const id = this.#byTab.get(tab)?.get(own);
    if (id !== undefined) this.#forget(id, [tab, own]);
    return id;
  }

  /** Forgets every id of `tab`, and returns the hub's. */
  drop(tab: string): number[] {
    const ids = [...(this.#byTab.get(tab)?.values() ?? [])];
    for (const id of ids) this.#owners.delete(id);
    this.#byTab.delete(tab);
    return ids;
  }

  #forget(id: number, [tab, own]: readonly [string, number]): void {
    this.#owners.delete(id);
    this.#byTab.get(tab)?.delete(own);
  }
}
