import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The longest stretches of an event loop that never went idle, from a V8 .cpuprofile of one thread, with
 * what ran in each: self time by function, and time by the repository's own functions on the stack (inclusive).
 * A p99 far above the median comes from such stretches; a summary of the whole run averages them away.
 *
 *   npx tsx scripts/bench/profile-stalls.ts .bench/profiles/CPU.<date>.<time>.<pid>.0.001.cpuprofile [--min-ms 30] [--top 5]
 */
interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; startTime: number; samples: number[]; timeDeltas: number[] }

export interface Stretch {
  startMs: number;
  durationMs: number;
  bySelf: Array<[string, number]>;
  byOwnFunction: Array<[string, number]>;
}

const IDLE = new Set(['(idle)']);

export function busyStretches(profile: Profile, repoRoot: string, minMs: number, top: number): Stretch[] {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const name = (n: Node): string => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url, repoRoot)}:${n.callFrame.lineNumber + 1}`;
  const stretches: Array<{ from: number; to: number }> = [];
  let t = profile.startTime;
  let open: { from: number; to: number } | null = null;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    const idle = IDLE.has(nodes.get(id)?.callFrame.functionName ?? '');
    if (idle) {
      if (open) stretches.push(open);
      open = null;
    } else if (open) open.to = i;
    else open = { from: i, to: i };
  });
  if (open) stretches.push(open);
  const stamps: number[] = [];
  t = profile.startTime;
  for (const delta of profile.timeDeltas) stamps.push((t += delta));
  const longest = stretches
    .map((s) => ({ ...s, micros: (stamps[s.to] ?? 0) - (stamps[s.from] ?? 0) + (profile.timeDeltas[s.to + 1] ?? 0) }))
    .filter((s) => s.micros >= minMs * 1000).sort((a, b) => b.micros - a.micros).slice(0, top);
  return longest.map((s) => {
    const self = new Map<string, number>();
    const own = new Map<string, number>();
    for (let i = s.from; i <= s.to; i += 1) {
      const weight = profile.timeDeltas[i + 1] ?? 0;
      const leaf = nodes.get(profile.samples[i] ?? -1);
      if (!leaf) continue;
      self.set(name(leaf), (self.get(name(leaf)) ?? 0) + weight);
      const seen = new Set<string>();
      for (let n: Node | undefined = leaf; n; n = nodes.get(parent.get(n.id) ?? -1)) {
        if (!isOwn(n.callFrame.url, repoRoot)) continue;
        const key = name(n);
        if (seen.has(key)) continue;
        seen.add(key);
        own.set(key, (own.get(key) ?? 0) + weight);
      }
    }
    const rows = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1]).slice(0, 8)
      .map(([k, v]) => [k, Math.round(v / 100) / 10]);
    return {
      startMs: Math.round(((stamps[s.from] ?? 0) - profile.startTime) / 1000), durationMs: Math.round(s.micros / 100) / 10,
      bySelf: rows(self), byOwnFunction: rows(own),
    };
  });
}

function isOwn(url: string, repoRoot: string): boolean {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(repoRoot) && !path.includes('/node_modules/');
}

function shortUrl(url: string, repoRoot: string): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(repoRoot) ? relative(repoRoot, path) : path.replace(/^.*\/node_modules\//, '');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-stalls.ts <file.cpuprofile> [--min-ms N] [--top N]');
  const option = (flag: string, fallback: number): number => {
    const at = rest.indexOf(flag);
    return at >= 0 ? Number(rest[at + 1]) : fallback;
  };
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  for (const s of busyStretches(profile, process.cwd(), option('--min-ms', 30), option('--top', 5))) {
    console.log(`busy ${s.durationMs} ms from ${s.startMs} ms`);
    console.log('  self:  ' + s.bySelf.map(([k, v]) => `${v} ms ${k}`).join('\n         '));
    console.log('  own:   ' + s.byOwnFunction.map(([k, v]) => `${v} ms ${k}`).join('\n         '));
  }
}
