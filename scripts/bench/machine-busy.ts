import { cpus } from 'node:os';

/** Share of all cores busy over a second while the bench itself waits: anything else running skews the figures. */
export async function machineBusyPercent(): Promise<number> {
  const totals = (): { idle: number; all: number } => cpus().reduce((sum, cpu) => {
    const t = cpu.times;
    return { idle: sum.idle + t.idle, all: sum.all + t.user + t.nice + t.sys + t.idle + t.irq };
  }, { idle: 0, all: 0 });
  const before = totals();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = totals();
  const all = after.all - before.all;
  return all > 0 ? Math.round((1 - (after.idle - before.idle) / all) * 100) : 0;
}
