import { isVariableSet, readVariable, type VariableName } from '@govstats/config';

/** How large a bench round is: the variables, or the quick round's sizes where BENCH_QUICK=1 and a variable is unset. */
export interface BenchSizes {
  quick: boolean;
  runs: number;
  scenario: string | undefined;
  freshnessSeconds: number;
  queryRows: number;
  /** Seconds of each load level on the producer service. */
  loadSeconds: number;
  /** Prior events in the store, one sweep point each; 0 is the empty store every other figure is measured on. */
  history: number[];
}

const QUICK = {
  BENCH_RUNS: 1,
  BENCH_FRESHNESS_SECONDS: 10,
  BENCH_QUERY_ROWS: 1_000_000,
  BENCH_HISTORY: [0, 1_000_000, 10_000_000],
  BENCH_LOAD_SECONDS: 5,
};

export function benchSizes(): BenchSizes {
  const quick = readVariable('BENCH_QUICK');
  const pick = <Name extends keyof typeof QUICK & VariableName>(name: Name) =>
    quick && !isVariableSet(name) ? QUICK[name] : readVariable(name);
  const history = [...new Set([0, ...pick('BENCH_HISTORY')])].sort((a, b) => a - b);
  return {
    quick,
    runs: pick('BENCH_RUNS'),
    scenario: readVariable('BENCH_SCENARIO'),
    freshnessSeconds: pick('BENCH_FRESHNESS_SECONDS'),
    queryRows: pick('BENCH_QUERY_ROWS'),
    loadSeconds: pick('BENCH_LOAD_SECONDS'),
    history,
  };
}
