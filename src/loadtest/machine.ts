/** The machine a load test ran on, recorded with every result (results from different machines do not compare). */
import { arch, cpus } from 'node:os';

/** CPU, core count and Node/V8 versions. */
export interface MachineInfo {
  readonly arch: string;
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly v8: string;
}

/** This machine. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return { arch: arch(), cpu: list[0]?.model.trim() ?? 'unknown', cores: list.length, node: process.versions.node, v8: process.versions.v8 };
}

/** One line: "AMD EPYC 9R14, 2 cores, x64, Node 20.20.2". */
export function machineLine(m: MachineInfo = machineInfo()): string {
  return `${m.cpu}, ${m.cores} core${m.cores === 1 ? '' : 's'}, ${m.arch}, Node ${m.node}`;
}
