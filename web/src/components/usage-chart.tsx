import { useEffect, useRef, useState } from 'preact/hooks';
import { api, call, errorMessage } from '../api/client';

/** One UTC day of a license's usage history (docs/licensing.md): peak in use, purchased, lowest balance. */
type UsageDay = Awaited<ReturnType<typeof loadUsage>>[number];

/** GET .../virtual-accounts/{va}/licenses/{tag}/usage?from=&to= → { days: [{ day, peakInUse, purchased, balance }] }. */
export async function loadUsage(account: string, va: string, tag: string, days: number) {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  const body = await call(api.GET('/backend/api/v1/accounts/{accountName}/virtual-accounts/{virtualAccountName}/licenses/{tag}/usage', {
    params: { path: { accountName: account, virtualAccountName: va, tag }, query: { from: from.toISOString(), to: to.toISOString() } },
  }));
  return body.days;
}

/** A usage-trend chart (uPlot, loaded on demand so the first page stays small), with a text summary for assistive technology. */
export function UsageChart(props: { account: string; va: string; tag: string; name: string; days?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ points: UsageDay[] | null; error: string | null }>({ points: null, error: null });
  const days = props.days ?? 30;
  useEffect(() => {
    let alive = true;
    loadUsage(props.account, props.va, props.tag, days).then(
      (points) => { if (alive) setState({ points, error: null }); },
      (error: unknown) => { if (alive) setState({ points: null, error: errorMessage(error) }); },
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
      const xs = points.map((p) => Date.parse(`${p.day}T00:00:00Z`) / 1000);
      // The whole period asked for, not uPlot's fit to the data: a young history is one point, not a year-wide axis.
      const end = Date.now() / 1000;
      chart = new UPlot({
        width: Math.max(280, target.clientWidth), height: 180,
        scales: { x: { time: true, range: [end - days * 86_400, end] }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
        series: [{}, { label: 'Purchased', stroke: '#1d6fb8', width: 2 }, { label: 'Peak in use', stroke: '#b8441d', width: 2 }],
        axes: [{}, { label: 'Licenses' }],
      }, [xs, points.map((p) => p.purchased), points.map((p) => p.peakInUse)], target);
    });
    return () => { alive = false; chart?.destroy(); };
  }, [state.points, days]);

  const points = state.points;
  const first = points?.[0];
  const last = points?.[points.length - 1];
  const summary = first && last
    ? `${props.name}: peak in use ${first.peakInUse} on ${first.day}, ${last.peakInUse} of ${last.purchased} purchased on ${last.day} (balance ${last.balance}).`
    : null;
  return (
    <figure class="chart">
      <figcaption>Usage of {props.name}, last {days} days</figcaption>
      {points === null && !state.error && <p>Loading…</p>}
      {points?.length === 0 && <p>No usage recorded in this period.</p>}
      {state.error && <p role="alert" class="error">{state.error}</p>}
      <div ref={box} role="img" aria-label={summary ?? `Usage of ${props.name}: no data`} />
    </figure>
  );
}
