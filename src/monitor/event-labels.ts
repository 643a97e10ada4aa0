import { COUNTED_EVENTS, MAX_NODE_LABELS, type MonitorMetrics } from './metrics.js';

const COUNTED = new Set<string>(COUNTED_EVENTS);

/** Counts notifications by event name; names outside COUNTED_EVENTS count as `other` (labels stay bounded). */
export function eventCounter(metrics: MonitorMetrics, environment: string): (event: string) => void {
  const counters = new Map<string, { inc(): void }>();
  return (event) => {
    const name = COUNTED.has(event) ? event : 'other';
    let c = counters.get(name);
    if (!c) {
      c = metrics.events.labels({ environment, event: name });
      counters.set(name, c);
    }
    c.inc();
  };
}

/** The `node` label of a node: its name for the first MAX_NODE_LABELS nodes seen, then `other`. */
export function nodeLabeller(): (node: string) => string {
  const seen = new Set<string>();
  return (node) => {
    if (seen.has(node) || seen.size < MAX_NODE_LABELS) {
      seen.add(node);
      return node;
    }
    return 'other';
  };
}
