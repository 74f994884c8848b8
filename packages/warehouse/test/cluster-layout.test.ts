import { describe, expect, it } from 'vitest';
import { SINGLE_NODE, bookkeepingSettings, rawInsertSettings, settingsSql, type DdlOptions } from '../src/index.ts';
import { clusterLayout } from '../src/schema/cluster-layout.ts';
import { clusterMigrations } from '../src/schema/cluster-migrations.ts';
import { clusterStatements } from '../src/schema/cluster-statements.ts';
import { engine } from '../src/schema/ddl-options.ts';

const CLUSTER: DdlOptions = { cluster: 'govstats', replicated: true, dedupWindow: 10_000, database: 'govstats' };
const layout = clusterLayout(CLUSTER);
const place = (statement: string) => clusterStatements(statement, layout);

describe('the cluster layout', () => {
  it('needs Replicated tables and the database name', () => {
    expect(() => clusterLayout({ ...CLUSTER, replicated: false })).toThrow(/CLICKHOUSE_REPLICATED=1/);
    expect(() => clusterLayout({ ...CLUSTER, database: undefined })).toThrow(/CLICKHOUSE_DATABASE/);
  });

  it('renders engines replicated across every node on a cluster, per shard without one', () => {
    expect(engine('ReplacingMergeTree', CLUSTER, 'applied_at')).toBe(
      "ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{replica}', applied_at)",
    );
    expect(engine('MergeTree', { ...CLUSTER, cluster: undefined })).toBe(
      "ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')",
    );
    expect(engine('MergeTree', SINGLE_NODE)).toBe('MergeTree()');
  });

  it('refuses a table nobody has placed, naming where to place it', () => {
    expect(() =>
      place(`CREATE TABLE IF NOT EXISTS new_table ON CLUSTER govstats (x UInt8) ENGINE = ${engine('MergeTree', CLUSTER)} ORDER BY x`),
    ).toThrow(/new_table is neither sharded nor kept on every node.*cluster-layout\.ts/s);
  });

  it('refuses a statement shape no rule knows, and one rendered for another cluster', () => {
    expect(() => place('OPTIMIZE TABLE grid_visits ON CLUSTER govstats FINAL')).toThrow(/no rule places this statement/);
    expect(() => place('DROP VIEW IF EXISTS v ON CLUSTER other')).toThrow(/rendered for cluster other/);
  });

  it('names the migration whose statement it could not place', () => {
    expect(() => clusterMigrations([{ id: 'x/0001', description: '', statements: ['SELECT 1'] }], CLUSTER)).toThrow(/^migration x\/0001: /);
  });

  it('splits a sharded table into a shard-local table and a Distributed one under the original name', () => {
    const [local, distributed] = place(`CREATE TABLE IF NOT EXISTS grid_visits ON CLUSTER govstats (
  village_code String
) ENGINE = ${engine('MergeTree', CLUSTER)}
ORDER BY village_code`);
    expect(local).toBe(`CREATE TABLE IF NOT EXISTS grid_visits_local ON CLUSTER govstats (
  village_code String
) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')
ORDER BY village_code`);
    expect(distributed).toBe(`CREATE TABLE IF NOT EXISTS grid_visits ON CLUSTER govstats AS grid_visits_local
ENGINE = Distributed('govstats', currentDatabase(), 'grid_visits_local', cityHash64(village_code))`);
  });

  it('keeps bookkeeping whole on every node, its DDL on the one-shard cluster of all nodes', () => {
    expect(place(`ALTER TABLE event_ledger ON CLUSTER govstats DELETE WHERE source = '' SETTINGS mutations_sync = 2`)).toEqual([
      `ALTER TABLE event_ledger ON CLUSTER govstats_every_node DELETE WHERE source = '' SETTINGS mutations_sync = 2, alter_sync = 2`,
    ]);
    expect(place('TRUNCATE TABLE ingest_batches ON CLUSTER govstats')).toEqual([
      'TRUNCATE TABLE ingest_batches ON CLUSTER govstats_every_node',
    ]);
  });

  it('alters the shard-local table, waits for every replica, then re-creates the Distributed one from it', () => {
    expect(place('ALTER TABLE grid_visit_rollup ON CLUSTER govstats\n  ADD COLUMN area LowCardinality(String)')).toEqual([
      'ALTER TABLE grid_visit_rollup_local ON CLUSTER govstats\n  ADD COLUMN area LowCardinality(String)\nSETTINGS alter_sync = 2',
      `CREATE OR REPLACE TABLE grid_visit_rollup ON CLUSTER govstats AS grid_visit_rollup_local
ENGINE = Distributed('govstats', currentDatabase(), 'grid_visit_rollup_local', rand())`,
    ]);
    expect(place('TRUNCATE TABLE grid_visit_rollup ON CLUSTER govstats')).toEqual([
      'TRUNCATE TABLE grid_visit_rollup_local ON CLUSTER govstats',
    ]);
  });

  it('points materialized views at the shard-local tables on both ends', () => {
    expect(
      place(
        'CREATE MATERIALIZED VIEW IF NOT EXISTS mv ON CLUSTER govstats TO grid_visit_rollup AS\nSELECT x FROM (SELECT x FROM grid_visits) JOIN divisions USING x',
      ),
    ).toEqual([
      'CREATE MATERIALIZED VIEW IF NOT EXISTS mv ON CLUSTER govstats TO grid_visit_rollup_local AS\nSELECT x FROM (SELECT x FROM grid_visits_local) JOIN divisions USING x',
    ]);
  });

  it('backfills a sharded table per shard and a table kept on every node through the Distributed tables', () => {
    expect(
      place(
        'INSERT INTO grid_visit_rollup_month (a, b)\nSETTINGS max_partitions_per_insert_block = 0\nSELECT a, b FROM grid_visits GROUP BY a, b',
      ),
    ).toEqual([
      `INSERT INTO grid_visit_rollup_month (a, b)
SETTINGS max_partitions_per_insert_block = 0, parallel_distributed_insert_select = 2, distributed_foreground_insert = 1
SELECT * FROM cluster('govstats', view(
SELECT a, b FROM govstats.grid_visits_local GROUP BY a, b
))`,
    ]);
    const ledger = 'INSERT INTO event_ledger (event_id) SELECT event_id FROM grid_visits GROUP BY event_id';
    expect(place(ledger)).toEqual([ledger]);
  });
});

describe('consistency settings', () => {
  it('are none on a single node', () => {
    expect(bookkeepingSettings(SINGLE_NODE)).toEqual({});
    expect(rawInsertSettings(SINGLE_NODE)).toEqual({});
  });

  it('make bookkeeping reads see every acknowledged write on a cluster, and raw inserts wait for every shard', () => {
    expect(bookkeepingSettings(CLUSTER)).toEqual({ insert_quorum: 'auto', insert_quorum_parallel: 0, select_sequential_consistency: 1 });
    expect(rawInsertSettings(CLUSTER)).toEqual({ distributed_foreground_insert: 1, insert_quorum: 'auto' });
    expect(settingsSql(bookkeepingSettings(CLUSTER))).toBe(
      "insert_quorum = 'auto', insert_quorum_parallel = 0, select_sequential_consistency = 1",
    );
  });
});
