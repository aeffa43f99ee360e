/**
 * Prints the benchmark estate's YAML (ours): `dump.ts <zones>`. Used to check that an optimisation leaves
 * the output byte for byte the same (compare with the output of the previous commit).
 */
import { buildOurs } from './workload';

process.stdout.write(buildOurs(Number(process.argv[2] ?? 100), Number(process.argv[3] ?? 20)).synthYaml());
