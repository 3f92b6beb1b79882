/**
 * Concurrent misses of one key share one lookup. When a cache entry ends (its TTL, a
 * commit), every connection polling that key misses at once: 64 connections made 64
 * identical lookups, which queued on the database pool and made the read's long tail.
 * A caller joins a lookup in flight only if it began under the change marker the caller
 * reads now: a commit since then (which the caller may have seen before sending its
 * request) starts a lookup of its own.
 */
export class SingleFlight<V> {
  private readonly flights = new Map<string, { marker: string; promise: Promise<V> }>();

  /** `work`'s result, shared with callers of the same key and marker while it runs. */
  run(key: string, marker: string, work: () => Promise<V>): Promise<V> {
    const flying = this.flights.get(key);
    if (flying && flying.marker === marker) return flying.promise;
    const flight = { marker, promise: work() };
    this.flights.set(key, flight);
    const land = () => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    };
    flight.promise.then(land, land);
    return flight.promise;
  }
}
