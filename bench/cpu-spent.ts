// Where the CPU of a measured phase went (issue 12, PF-5): this process's own (process.cpuUsage) and the whole
// machine's (Linux /proc/stat: every process, the database server's included), so a bench can say what an operation
// costs the machine and how many of them its cores could run at most. Only meaningful on a machine running nothing
// else, as the ledger bench expects.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface CpuSpent<T> {
  value: T;
  /** CPU time of this process, µs. */
  processUs: number;
  /** CPU time of every process on the machine, µs; undefined where /proc/stat cannot be read. */
  machineUs: number | undefined;
  cores: number;
}

/** Busy CPU time of the machine so far, µs (user, nice, system, irq and softirq ticks; not idle, iowait or steal). */
function machineBusyUs(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields;
    // USER_HZ is 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)); a tick is 10 ms.
    return (user + nice + system + irq + softirq) * 10_000;
  } catch {
    return undefined;
  }
}

export async function cpuSpent<T>(work: () => Promise<T>): Promise<CpuSpent<T>> {
  const machineBefore = machineBusyUs();
  const processBefore = process.cpuUsage();
  const value = await work();
  const own = process.cpuUsage(processBefore);
  const machineAfter = machineBusyUs();
  return {
    value,
    processUs: own.user + own.system,
    machineUs: machineBefore === undefined || machineAfter === undefined ? undefined : machineAfter - machineBefore,
    cores: availableParallelism(),
  };
}
