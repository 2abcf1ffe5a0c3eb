import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
interface CpuProfile { nodes: CpuProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] }

export interface ProfileRow { name: string; selfMs: number; share: number }
export interface ProfileSummary {
  file: string;
  /** Whether samples could be cut to the measured run's time window (same monotonic clock), or cover the whole server. */
  window: 'measured run' | 'whole server run';
  sampledMs: number;
  byFunction: ProfileRow[];
  byFile: ProfileRow[];
}

/** Newest .cpuprofile in `directory` written after `since` (epoch ms), or null. */
export function newestProfile(directory: string, since: number): string | null {
  let best: { file: string; at: number } | null = null;
  for (const name of readdirSync(directory)) {
    if (!name.endsWith('.cpuprofile')) continue;
    const file = join(directory, name);
    const at = statSync(file).mtimeMs;
    if (at >= since && (!best || at > best.at)) best = { file, at };
  }
  return best?.file ?? null;
}

/** The monotonic clock V8's profiler stamps samples with (CLOCK_MONOTONIC, µs), read in this process. */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * Self time by function and by file from a V8 .cpuprofile, idle time left out. Samples are cut to
 * [fromMicros, toMicros] when the profile's clock matches this process's (both CLOCK_MONOTONIC on Linux).
 */
export function summarizeProfile(file: string, repoRoot: string, window: { fromMicros: number; toMicros: number } | null, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const stamps: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) {
    t += delta;
    stamps.push(t);
  }
  const inWindow = window !== null && stamps.some((s) => s >= window.fromMicros && s <= window.toMicros);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let sampled = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const stamp = stamps[i] ?? 0;
    if (inWindow && window && (stamp < window.fromMicros || stamp > window.toMicros)) continue;
    const node = nodes.get(profile.samples[i] ?? -1);
    // The time until the next sample is what this sample stands for.
    const micros = Math.max(0, (stamps[i + 1] ?? stamp) - stamp);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const where = shortUrl(node.callFrame.url, repoRoot);
    const fn = `${node.callFrame.functionName || '(anonymous)'}${where ? ` ${where}:${node.callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
    const fileKey = where || node.callFrame.functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + micros);
    sampled += micros;
  }
  const rows = (map: Map<string, number>): ProfileRow[] => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, micros]) => ({ name, selfMs: Math.round(micros / 100) / 10, share: sampled > 0 ? micros / sampled : 0 }));
  return { file, window: inWindow ? 'measured run' : 'whole server run', sampledMs: Math.round(sampled / 1000), byFunction: rows(byFunction), byFile: rows(byFile) };
}

function shortUrl(url: string, repoRoot: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + 1);
  return path.startsWith(repoRoot) ? path.slice(repoRoot.length) : path;
}

export function formatProfile(summary: ProfileSummary, cpuMicrosPerRequest: number | null): string[] {
  const perRequest = (share: number): string => (cpuMicrosPerRequest === null ? '' : ` ~${Math.round(share * cpuMicrosPerRequest)} µs/req`);
  const table = (title: string, rows: ProfileRow[]): string[] => [
    `  ${title}`,
    ...rows.map((r) => `    ${(r.share * 100).toFixed(1).padStart(5)} %${perRequest(r.share).padEnd(14)} ${r.name}`),
  ];
  return [
    `CPU profile ${summary.file} (${summary.window}, ${summary.sampledMs} ms sampled, idle excluded): top ${summary.byFunction.length} self time`,
    ...table('by function:', summary.byFunction),
    ...table('by file:', summary.byFile),
  ];
}
