/**
 * Wharf's own metrics (`GET /metrics`, Prometheus text): API calls by operation and status with
 * their latency, reconcile passes, placements, agent links, and the store's transactions. The
 * parts take hooks; this wires them into one registry.
 */
import { MetricsRegistry } from '../common/index.ts';
import type { Place } from '../scheduler/index.ts';
import type { Store } from '../state/index.ts';

/** The control plane's registry and the hooks that feed it. */
export class WharfMetrics {
  readonly registry = new MetricsRegistry();

  /** Pipeline hook: one AWS API request served. */
  request = (r: { service: string; operation: string; status: number; seconds: number }): void => {
    const labels = { service: r.service || 'unknown', operation: r.operation || 'unknown' };
    this.registry.count('wharf_api_requests_total', 'AWS API requests served, by API, operation and HTTP status.', { ...labels, status: String(r.status) });
    this.registry.observe('wharf_api_request_duration_seconds', 'Time to serve an AWS API request, by API and operation.', r.seconds, labels);
  };

  /** Controller hook: one reconcile pass over a service. */
  reconcile = (seconds: number, failed: boolean): void => {
    this.registry.observe('wharf_reconcile_duration_seconds', 'Time of a service controller pass over one service.', seconds, { controller: 'service', result: failed ? 'error' : 'ok' });
  };

  /** Placement, timed. */
  timedPlace(place: Place): Place {
    return (snapshot, request, rng) => {
      const started = performance.now();
      try {
        return place(snapshot, request, rng);
      } finally {
        this.registry.observe('wharf_placement_duration_seconds', 'Time to place one launch\'s tasks over a snapshot of the instances.', (performance.now() - started) / 1000);
      }
    };
  }

  /** The store, its transactions timed (reads and watches pass straight through). */
  timedStore<S extends Store>(store: S): S {
    const registry = this.registry;
    // Methods bound once: the store is read on every request, so no function is made per access.
    const bound = new Map<PropertyKey, unknown>();
    return new Proxy(store, {
      get(target, property, receiver) {
        if (bound.has(property)) return bound.get(property);
        if (property === 'txn') {
          const timed = async (...args: Parameters<Store['txn']>) => {
            const started = performance.now();
            let outcome = 'error';
            try {
              const result = await target.txn(...args);
              outcome = result.succeeded ? 'committed' : 'compare-failed';
              return result;
            } finally {
              registry.observe('wharf_store_txn_duration_seconds', 'Time of a store transaction, by outcome.', (performance.now() - started) / 1000, { outcome });
            }
          };
          bound.set(property, timed);
          return timed;
        }
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        const method = value.bind(target);
        bound.set(property, method);
        return method;
      },
    });
  }

  /** Gauges of the agent links, read when scraped. */
  links(read: () => { open: number; registered: number }): void {
    this.registry.gauge('wharf_agent_links', 'Agent links open now, by state.', () => {
      const { open, registered } = read();
      return [{ labels: { state: 'open' }, value: open }, { labels: { state: 'registered' }, value: registered }];
    });
  }
}
