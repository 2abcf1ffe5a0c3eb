import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface CpuProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
export interface CpuProfile { nodes: CpuProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] }

export interface ProfileRow { name: string; selfMs: number; share: number }
export interface ProfileSummary {
  /** One profile per thread of the server (main thread and any worker threads), merged. */
  files: string[];
  /** Whether samples could be cut to the measured run's time window (same monotonic clock), or cover the whole server. */
  window: 'measured run' | 'whole server run';
  sampledMs: number;
  byFunction: ProfileRow[];
  byFile: ProfileRow[];
}

/** The .cpuprofile files process `pid` wrote (node names them CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile). */
export function profilesOf(directory: string, pid: number, since: number): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.cpuprofile') && name.split('.')[3] === String(pid))
    .map((name) => join(directory, name))
    .filter((file) => statSync(file).mtimeMs >= since);
}

/** The monotonic clock V8's profiler stamps samples with (CLOCK_MONOTONIC, µs), read in this process. */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * Self time by function and by file from a V8 .cpuprofile, idle time left out. Samples are cut to
 * [fromMicros, toMicros] when the profile's clock matches this process's (both CLOCK_MONOTONIC on Linux).
 */
export function summarizeProfiles(files: string[], repoRoot: string, window: { fromMicros: number; toMicros: number } | null, top = 20): ProfileSummary {
  const profiles = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  return { ...summarizeCpuProfiles(profiles, repoRoot, window, top), files };
}

/** The same, over profiles already parsed. */
export function summarizeCpuProfiles(profiles: CpuProfile[], repoRoot: string, window: { fromMicros: number; toMicros: number } | null,
  top = 20): ProfileSummary {
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let sampled = 0;
  let cut = true;
  for (const profile of profiles) {
    const one = addProfile(profile, repoRoot, window, byFunction, byFile);
    sampled += one.sampled;
    cut &&= one.cut;
  }
  const rows = (map: Map<string, number>): ProfileRow[] => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, micros]) => ({ name, selfMs: Math.round(micros / 100) / 10, share: sampled > 0 ? micros / sampled : 0 }));
  return { files: [], window: cut ? 'measured run' : 'whole server run', sampledMs: Math.round(sampled / 1000), byFunction: rows(byFunction), byFile: rows(byFile) };
}

function addProfile(profile: CpuProfile, repoRoot: string, window: { fromMicros: number; toMicros: number } | null,
  byFunction: Map<string, number>, byFile: Map<string, number>): { sampled: number; cut: boolean } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const stamps: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas) {
    t += delta;
    stamps.push(t);
  }
  const inWindow = window !== null && stamps.some((s) => s >= window.fromMicros && s <= window.toMicros);
  let sampled = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const stamp = stamps[i] ?? 0;
    if (inWindow && window && (stamp < window.fromMicros || stamp > window.toMicros)) continue;
    const node = nodes.get(profile.samples[i] ?? -1);
    // The time until the next sample is what this sample stands for.
    const micros = Math.max(0, (stamps[i + 1] ?? stamp) - stamp);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const where = shortUrl(node.callFrame.url, repoRoot);
    // tsx runs transpiled TypeScript, so line numbers of .ts files point into its output: name and file only.
    const line = where && !where.endsWith('.ts') ? `:${node.callFrame.lineNumber + 1}` : '';
    const fn = `${node.callFrame.functionName || '(anonymous)'}${where ? ` ${where}${line}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
    const fileKey = where || node.callFrame.functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + micros);
    sampled += micros;
  }
  return { sampled, cut: inWindow };
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
    `CPU profile of ${summary.files.length} server thread(s), ${summary.files[0] ?? ''}${summary.files.length > 1 ? ' ...' : ''} (${summary.window}, ${summary.sampledMs} ms sampled, idle excluded): top ${summary.byFunction.length} self time`,
    ...table('by function:', summary.byFunction),
    ...table('by file:', summary.byFile),
  ];
}
