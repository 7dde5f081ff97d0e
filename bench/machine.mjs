/**
 * The machine tag recorded with every benchmark result (arch, CPU, cores, Node/V8,
 * the Lambda facts, emulation): defined in src/bench/machine.ts, which the Lambda
 * bench handler bundles too; re-exported here from build/.
 *
 *   node bench/machine.mjs      prints this machine's tag
 */
import { importBuilt } from './built.mjs';

export const { MB_PER_VCPU, cpuName, detectEmulation, lambdaFacts, machineTag, machineLine } = await importBuilt('bench/machine.js');

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(machineTag(), null, 2));
