/**
 * Entries by call id, in the order they were added: a `Map` that holds the first entry in two fields of its own.
 *
 * Most clients have one call in flight at a time (a call awaited before the next starts). A `Map` that goes from
 * one entry to none reallocates its table, so each call would cost about 150 B of garbage and 60 ns in each of the
 * two tables a call passes through (the facade's and the engine's); held in fields, it costs neither. The `Map` is
 * made when a second call joins the first.
 *
 * Invariant: the field entry, when there is one, is older than every entry of the `Map` (a new entry goes to the
 * fields only when the table is empty), so {@link CallTable.values} lists the entries in the order they were added.
 * Call ids are numbers other than 0; values are objects.
 * @internal
 */
export class CallTable<V extends object> {
  #firstId = 0;
  #first: V | undefined;
  #rest: Map<number, V> | undefined;

  /** Entries held. */
  get size(): number {
    return (this.#first === undefined ? 0 : 1) + (this.#rest?.size ?? 0);
  }

  set(id: number, value: V): void {
    if (this.#first === undefined ? !this.#rest?.size : this.#firstId === id) {
      this.#firstId = id;
      this.#first = value;
    } else {
      (this.#rest ??= new Map()).set(id, value);
    }
  }

  get(id: number): V | undefined {
    return id === this.#firstId && this.#first !== undefined ? this.#first : this.#rest?.get(id);
  }

  /** Removes and returns the entry of `id`, or `undefined` when there is none. */
  take(id: number): V | undefined {
    const first = this.#first;
    if (first !== undefined && id === this.#firstId) {
      this.#first = undefined;
      this.#firstId = 0;
      return first;
    }
    const rest = this.#rest;
    const value = rest?.get(id);
    if (value !== undefined) rest?.delete(id);
    return value;
  }

  /** Removes the entry of `id`; `false` when there was none. */
  delete(id: number): boolean {
    return this.take(id) !== undefined;
  }

  /** The entries, in the order they were added (a copy: the table may change while it is walked). */
  values(): V[] {
    const values = this.#rest ? [...this.#rest.values()] : [];
    if (this.#first !== undefined) values.unshift(this.#first);
    return values;
  }
}
