import { readFileSync } from 'node:fs';
import type { BenchProcess } from './processes.js';

// Other work on the machine (another test suite, a build) skews every figure, and the ratios too,
// since the baseline and the server suffer unequally. While a run is measured, the machine's busy
// time less what the server and this process used is what something else took; the report says
// how much, so a disturbed run shows as one.

const TICKS_PER_SECOND = 100; // USER_HZ, as in processes.ts

/** Busy CPU seconds of the whole machine so far (all but idle and iowait), 0 without /proc. */
function machineBusySeconds(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

const ownSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Starts watching; stop() gives the cores other processes kept busy on average since. */
export function watchOtherCpu(server: BenchProcess): { stop(): number } {
  const start = { at: performance.now(), machine: machineBusySeconds(), server: server.cpuSeconds(), own: ownSeconds() };
  return {
    stop() {
      const elapsed = (performance.now() - start.at) / 1000;
      const other = machineBusySeconds() - start.machine - (server.cpuSeconds() - start.server) - (ownSeconds() - start.own);
      return Math.max(0, other / elapsed);
    },
  };
}
