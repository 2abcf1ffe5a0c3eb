import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage, raw } from '../api/client';

/**
 * The usage history the licensing engine serves per VA and tag:
 * GET .../accounts/{a}/virtual-accounts/{va}/licenses/{tag}/usage?from=&to= → { usage: [{ at, purchased, inUse }] }.
 * Read with the raw client because that route is newer than some satellites this UI is built against.
 */
export interface UsagePoint { at: string; purchased: number; inUse: number }

export async function loadUsage(account: string, va: string, tag: string, days: number): Promise<UsagePoint[] | null> {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  const path = `/backend/api/v1/accounts/${encodeURIComponent(account)}/virtual-accounts/${encodeURIComponent(va)}/licenses/${encodeURIComponent(tag)}/usage`;
  try {
    const response = await raw('GET', `${path}?from=${from.toISOString()}&to=${to.toISOString()}`);
    const body = (await response.json()) as { usage?: UsagePoint[] };
    return body.usage ?? [];
  } catch (error) {
    // A satellite without the usage history answers 404 for the route: the chart says so instead of failing.
    if (error instanceof ApiError && error.status === 404 && error.message.startsWith('no route')) return null;
    throw error;
  }
}

/** A usage-trend chart (uPlot, loaded on demand so the first page stays small), with a table fallback text. */
export function UsageChart(props: { account: string; va: string; tag: string; name: string; days?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ points: UsagePoint[] | null; error: string | null; loaded: boolean }>({ points: null, error: null, loaded: false });
  const days = props.days ?? 30;
  useEffect(() => {
    let alive = true;
    loadUsage(props.account, props.va, props.tag, days).then(
      (points) => { if (alive) setState({ points, error: null, loaded: true }); },
      (error: unknown) => { if (alive) setState({ points: null, error: errorMessage(error), loaded: true }); },
    );
    return () => { alive = false; };
  }, [props.account, props.va, props.tag, days]);

  useEffect(() => {
    const points = state.points;
    const target = box.current;
    if (!points || points.length === 0 || !target) return;
    let chart: { destroy(): void } | null = null;
    let alive = true;
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([{ default: UPlot }]) => {
      if (!alive) return;
      const xs = points.map((p) => Date.parse(p.at) / 1000);
      chart = new UPlot({
        width: Math.max(280, target.clientWidth), height: 180,
        series: [{}, { label: 'Purchased', stroke: '#1d6fb8', width: 2 }, { label: 'In use', stroke: '#b8441d', width: 2 }],
        axes: [{}, { label: 'Licenses' }],
      }, [xs, points.map((p) => p.purchased), points.map((p) => p.inUse)], target);
    });
    return () => { alive = false; chart?.destroy(); };
  }, [state.points]);

  const summary = state.points && state.points.length > 0
    ? `${props.name}: in use went from ${state.points[0]?.inUse ?? 0} to ${state.points[state.points.length - 1]?.inUse ?? 0} over ${days} days.`
    : null;
  return (
    <figure class="chart">
      <figcaption>Usage of {props.name}, last {days} days</figcaption>
      {!state.loaded && <p>Loading…</p>}
      {state.loaded && state.points === null && !state.error && <p>This satellite does not keep a usage history yet.</p>}
      {state.points?.length === 0 && <p>No usage recorded in this period.</p>}
      {state.error && <p role="alert" class="error">{state.error}</p>}
      <div ref={box} role="img" aria-label={summary ?? `Usage of ${props.name}`} />
    </figure>
  );
}
