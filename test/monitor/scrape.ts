/** Samples of a Prometheus text exposition: `name{a="1",b="2"}` (labels sorted) -> value. */
export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) continue;
    const labels = (m[2] ?? '')
      .split(/,(?=[a-zA-Z_]\w*=")/)
      .filter(Boolean)
      .sort();
    out.set(`${m[1]}{${labels.join(',')}}`, Number(m[3]));
  }
  return out;
}

/** GET /metrics over real HTTP and one sample's value (0 when absent). */
export async function scrape(port: number): Promise<(name: string, labels?: Record<string, string>) => number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  const samples = parseExposition(await res.text());
  return (name, labels = {}) => {
    const key = `${name}{${Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .sort()
      .join(',')}}`;
    return samples.get(key) ?? 0;
  };
}
