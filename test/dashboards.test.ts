import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openStore, type Store } from '@govstats/store';
import { SINGLE_NODE, allMigrations, migrate, readableViews } from '@govstats/warehouse';
import { chinaYear, fillClickHouseQuery } from '../infra/grafana/clickhouse-macros.ts';
import { refusal, type ReaderScope } from '../packages/store/src/guard/statement-policy.ts';
import { shapesThrough, type StatementShapes } from '../packages/store/src/guard/statement-shapes.ts';
import { BulletinMetrics } from '../services/bulletin/src/metrics.ts';
import { IngestMetrics } from '../services/ingest/src/metrics.ts';

/*
 * Dashboards and alert rules name metrics and views by hand, and nothing else would notice when one
 * is renamed: here every PromQL expression (panels, variables, alert rules) must parse and name
 * only metrics and labels that ingest and the bulletin service really export, and every ClickHouse
 * panel query, Grafana's macros and variables filled in, must be one the read-only reader may run
 * (the readable views, judged by the same policy as `govstats serve`), run on the real engine
 * against the migrated schema, and return the columns its panel shows.
 */

const ROOT = join(import.meta.dirname, '..');
const DASHBOARDS_DIR = join(ROOT, 'infra', 'grafana', 'dashboards');
const ALERTS_FILE = join(ROOT, 'infra', 'prometheus', 'alerts.yml');

/** Labels Prometheus adds to every scraped series (infra/prometheus/prometheus.yml adds `service`). */
const TARGET_LABELS = ['job', 'instance', 'service'];

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

// ---------------------------------------------------------------- what the services export

/** Series names as scraped, each with its label names: a histogram is _bucket (with le), _sum and _count. */
async function exportedSeries(): Promise<Map<string, Set<string>>> {
  const series = new Map<string, Set<string>>([['up', new Set(TARGET_LABELS)]]);
  for (const registry of [new IngestMetrics().registry, new BulletinMetrics().registry]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      const own = (registry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
      const labels = (extra: string[] = []) => new Set([...own, ...extra, ...TARGET_LABELS]);
      switch (String(metric.type)) {
        case 'histogram':
          series.set(`${metric.name}_bucket`, labels(['le']));
          series.set(`${metric.name}_sum`, labels());
          series.set(`${metric.name}_count`, labels());
          break;
        case 'summary':
          series.set(metric.name, labels(['quantile']));
          series.set(`${metric.name}_sum`, labels());
          series.set(`${metric.name}_count`, labels());
          break;
        default:
          series.set(metric.name, labels());
      }
    }
  }
  return series;
}

// ---------------------------------------------------------------- PromQL

/** What is wrong with one expression: syntax errors, unknown metrics, labels its metrics do not have. */
function promqlProblems(expr: string, series: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const problems: string[] = [];
  const tree = parser.parse(expr);
  const text = (node: SyntaxNode) => expr.slice(node.from, node.to);
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) problems.push(`syntax error at ${ref.from}: …${expr.slice(Math.max(0, ref.from - 20), ref.from + 20)}…`);
    },
  });
  /** Labels of the metrics selected anywhere under a node. */
  const labelsUnder = (node: SyntaxNode) => {
    const labels = new Set<string>();
    tree.iterate({
      from: node.from,
      to: node.to,
      enter(ref) {
        const identifier = ref.name === 'VectorSelector' && ref.from >= node.from ? ref.node.getChild('Identifier') : null;
        for (const label of identifier ? (series.get(text(identifier)) ?? []) : []) labels.add(label);
      },
    });
    return labels;
  };

  tree.iterate({
    enter(ref) {
      const node = ref.node;
      if (node.name === 'VectorSelector') {
        const [identifier] = node.getChildren('Identifier');
        if (!identifier) {
          problems.push(`a selector without a metric name: ${text(node)}`);
          return;
        }
        const metric = text(identifier);
        const known = series.get(metric);
        if (!known) {
          problems.push(`${metric} is not a metric ingest or the bulletin service exports`);
          return;
        }
        for (const matcher of node.getChildren('LabelMatchers').flatMap(childrenOf))
          for (const label of matcher.getChildren('LabelName').map(text))
            if (!known.has(label)) problems.push(`${metric} has no label ${label}`);
      }
      // `sum by (x)`: x must be a label of a metric aggregated.
      if (node.name === 'AggregateExpr') {
        const modifier = node.getChild('AggregateModifier');
        if (modifier?.getChild('By')) {
          const available = labelsUnder(node);
          for (const label of modifier
            .getChildren('GroupingLabels')
            .flatMap((g) => g.getChildren('LabelName'))
            .map(text))
            if (!available.has(label)) problems.push(`by (${label}): no metric under ${text(node)} has that label`);
        }
      }
    },
  });
  return problems;
}

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
  return children;
}

/** Labels of the metrics an expression names: what a legend's `{{label}}` or an annotation's `$labels.x` may use. */
function labelsNamedIn(expr: string, series: ReadonlyMap<string, ReadonlySet<string>>): Set<string> {
  const metrics = [...expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]).filter((name) => series.has(name));
  return new Set(metrics.flatMap((m) => [...series.get(m)!]));
}

function legendProblems(legend: string, expr: string, series: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const labels = labelsNamedIn(expr, series);
  return [...legend.matchAll(/\{\{\s*(\w+)\s*\}\}/g)]
    .map((m) => m[1]!)
    .filter((label) => !labels.has(label))
    .map((label) => `legend names ${label}`);
}

// ---------------------------------------------------------------- dashboards

interface Target {
  datasource?: { type?: string; uid?: string };
  expr?: string;
  legendFormat?: string;
  rawSql?: string;
  format?: number;
  refId: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: Target[];
  panels?: Panel[];
  fieldConfig?: { overrides?: Array<{ matcher: { id: string; options: string } }> };
  options?: { xField?: string };
}
interface Variable {
  name: string;
  type: string;
  datasource?: { type?: string };
  query?: string | { query?: string };
  includeAll?: boolean;
  allValue?: string;
  current?: { value?: string | string[] };
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

const dashboards = readdirSync(DASHBOARDS_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as Dashboard }));

const panelsOf = (dashboard: Dashboard): Panel[] => dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queryOf = (variable: Variable) => (typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? ''));

/** A variable's value as a panel sees it: its current value, or for "All" the value Grafana sends. */
function variableValues(dashboard: Dashboard): Map<string, string> {
  return new Map(
    dashboard.templating.list.map((v) => {
      const current = [v.current?.value ?? ''].flat()[0] ?? '';
      return [v.name, current === '$__all' ? (v.allValue ?? '.*') : current];
    }),
  );
}

/** Grafana's own variables in PromQL, and the dashboard's. */
function fillPromql(expr: string, values: ReadonlyMap<string, string>): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, (_m, name: string) => (name === 'range' ? '6h' : '1m'))
    .replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced?: string, bare?: string) => {
      const value = values.get(braced ?? bare ?? '');
      if (value === undefined) throw new Error(`${match} is not a variable of the dashboard`);
      return value;
    });
}

/** The range a governance panel is checked with: 2024, in China time. */
const fillSql = (sql: string, values: ReadonlyMap<string, string>) => fillClickHouseQuery(sql, chinaYear(2024), values);

const isPrometheus = (t: { datasource?: { type?: string } }) => t.datasource?.type === 'prometheus';
const isClickHouse = (t: { datasource?: { type?: string } }) => t.datasource?.type === 'grafana-clickhouse-datasource';

// ---------------------------------------------------------------- alert rules

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  annotations?: Record<string, string>;
}
const alertRules = (parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap(
  (group) => group.rules,
);

// ---------------------------------------------------------------- the checks

describe('PromQL of the dashboards and alert rules', () => {
  let series: Map<string, Set<string>>;
  beforeAll(async () => {
    series = await exportedSeries();
  });

  it('knows the series the services export, and finds what is wrong in a broken expression', () => {
    expect(series.get('govstats_ingest_events_total')).toEqual(new Set(['outcome', 'type', ...TARGET_LABELS]));
    expect(series.has('govstats_ingest_batch_seconds_bucket')).toBe(true);
    expect(series.has('govstats_bulletin_last_success_timestamp_seconds')).toBe(true);
    expect(series.has('process_resident_memory_bytes')).toBe(true);
    // The check itself can fail: a renamed metric, a label it lacks, a grouping label, a syntax error.
    expect(promqlProblems('rate(govstats_ingest_event_total[5m])', series)).toEqual([
      'govstats_ingest_event_total is not a metric ingest or the bulletin service exports',
    ]);
    expect(promqlProblems('govstats_ingest_events_total{reason="x"}', series)).toEqual([
      'govstats_ingest_events_total has no label reason',
    ]);
    expect(promqlProblems('sum by (topic) (govstats_ingest_dead_letters_total)', series)).toHaveLength(1);
    expect(promqlProblems('sum(rate(govstats_ingest_events_total[5m])', series).length).toBeGreaterThan(0);
    expect(promqlProblems('{__name__="govstats_ingest_events_total"}', series)).toHaveLength(1);
  });

  for (const { file, dashboard } of dashboards) {
    const values = variableValues(dashboard);
    const targets = panelsOf(dashboard).flatMap((panel) => (panel.targets ?? []).filter(isPrometheus).map((t) => ({ panel, target: t })));
    if (targets.length === 0) continue;

    it(`${file}: every panel expression parses and names exported metrics and labels`, () => {
      const problems = targets.flatMap(({ panel, target }) => {
        const expr = fillPromql(target.expr ?? '', values);
        return [...promqlProblems(expr, series), ...legendProblems(target.legendFormat ?? '', expr, series)].map(
          (p) => `${panel.title} (${target.refId}): ${p}`,
        );
      });
      expect(problems).toEqual([]);
      expect(targets.length).toBeGreaterThan(10);
    });

    it(`${file}: every variable query names an exported metric and label`, () => {
      for (const variable of dashboard.templating.list.filter(isPrometheus)) {
        const match = /^label_values\((.+),\s*(\w+)\)$/.exec(queryOf(variable));
        expect(match, `${variable.name}: label_values(selector, label)`).not.toBeNull();
        const [, selector, label] = match!;
        expect(promqlProblems(selector!, series), variable.name).toEqual([]);
        const metric = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(selector!)![0];
        expect(series.get(metric), `${variable.name}: ${metric} has the label ${label}`).toContain(label);
      }
    });
  }

  it('infra/prometheus/alerts.yml: every rule parses and names exported metrics and labels, and each metric family is watched', () => {
    expect(alertRules.length).toBeGreaterThan(5);
    const problems = alertRules.flatMap((rule) => {
      const own = promqlProblems(rule.expr, series);
      const annotated = Object.values(rule.annotations ?? {}).flatMap((text) =>
        [...text.matchAll(/\$labels\.(\w+)/g)].map((m) => m[1]!).filter((label) => !labelsNamedIn(rule.expr, series).has(label)),
      );
      return [...own, ...annotated.map((l) => `annotation names $labels.${l}`)].map((p) => `${rule.alert ?? rule.record}: ${p}`);
    });
    expect(problems).toEqual([]);
    const watched = alertRules.map((r) => r.expr).join('\n');
    for (const metric of [
      'govstats_consumer_partition_lag_messages',
      'govstats_ingest_dead_letters_total',
      'govstats_ingest_last_batch_timestamp_seconds',
      'govstats_ingest_event_freshness_seconds',
      'govstats_bulletin_last_success_timestamp_seconds',
      'govstats_bulletin_last_run_timestamp_seconds',
    ])
      expect(watched, `an alert rule watches ${metric}`).toContain(metric);
  });
});

describe('ClickHouse SQL of the dashboards, on the real engine as the reader', () => {
  let dir: string;
  let store: Store;
  let shapes: StatementShapes;
  const scope: ReaderScope = { database: 'default', views: new Set(readableViews()) };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'govstats-dashboards-'));
    store = await openStore({ dataDir: dir });
    await migrate(store, allMigrations(SINGLE_NODE), SINGLE_NODE);
    shapes = shapesThrough((params) => store.client.exec(params));
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Why the reader may not run it (undefined: it may), then its columns as the engine answers them. */
  async function run(sql: string): Promise<{ refused?: string; columns: Array<{ name: string; type: string }> }> {
    const refused = refusal(await shapes.of(sql, {}), 'reader', scope);
    if (refused) return { refused, columns: [] };
    const result = await store.client.query({ query: sql, format: 'JSON' });
    const { meta } = await result.json<Record<string, unknown>>();
    return { columns: meta ?? [] };
  }

  const isNumeric = (type: string) => /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/.test(type);
  const isTime = (type: string) => /^(Nullable\()?(Date|DateTime)/.test(type);

  it('refuses a query on a view that does not exist or a table the reader may not read', async () => {
    expect((await run('SELECT visits FROM grid_visit_weekly_totals')).refused).toMatch(/not one of the readable views/);
    expect((await run('SELECT count() FROM grid_visits')).refused).toMatch(/not one of the readable views/);
    expect(() => fillSql('SELECT 1 WHERE $__timeInterval(x)', new Map())).toThrow(/does not fill in/);
  });

  for (const { file, dashboard } of dashboards) {
    const values = variableValues(dashboard);
    const targets = panelsOf(dashboard).flatMap((panel) => (panel.targets ?? []).filter(isClickHouse).map((target) => ({ panel, target })));
    if (targets.length === 0) continue;

    it(`${file}: every panel query runs on the readable views and returns the columns its panel shows`, async () => {
      const problems: string[] = [];
      for (const { panel, target } of targets) {
        const where = `${panel.title} (${target.refId})`;
        const { refused, columns } = await run(fillSql(target.rawSql ?? '', values)).catch((error: unknown) => ({
          refused: (error as Error).message.split('\n')[0],
          columns: [],
        }));
        if (refused) {
          problems.push(`${where}: ${refused}`);
          continue;
        }
        const names = columns.map((c) => c.name);
        if (target.format === 0) {
          const time = columns.find((c) => c.name === 'time');
          if (!time || !isTime(time.type)) problems.push(`${where}: a time series needs a Date or DateTime column named time`);
          for (const c of columns.filter((c) => c.name !== 'time'))
            if (!isNumeric(c.type)) problems.push(`${where}: ${c.name} (${c.type}) is not a number`);
        }
        if (['stat', 'bargauge'].includes(panel.type) && !columns.some((c) => isNumeric(c.type)))
          problems.push(`${where}: a ${panel.type} needs a numeric column`);
        for (const { matcher } of panel.fieldConfig?.overrides ?? []) {
          if (matcher.id === 'byName' && !names.includes(matcher.options))
            problems.push(`${where}: no column ${matcher.options} for its override`);
          if (matcher.id === 'byRegexp' && !names.some((n) => new RegExp(`^(?:${matcher.options})$`).test(n)))
            problems.push(`${where}: no column matches ${matcher.options}`);
        }
        if (panel.options?.xField && !names.includes(panel.options.xField))
          problems.push(`${where}: no column ${panel.options.xField} for its x axis`);
      }
      expect(problems).toEqual([]);
    });

    it(`${file}: every variable query runs on the readable views and returns a value and a text column`, async () => {
      for (const variable of dashboard.templating.list.filter((v) => v.type === 'query' && isClickHouse(v))) {
        const { refused, columns } = await run(fillSql(queryOf(variable), values));
        expect(refused, variable.name).toBeUndefined();
        // The plugin's convention: the first column is the value, the second the text shown.
        expect(columns.length, `${variable.name}: value and text`).toBe(2);
      }
    });
  }

  it('reads only the views the access model grants the reader', () => {
    // The views of every dashboard query, named: a typo or a raw table fails above; this guards the list itself.
    const named = dashboards
      .flatMap(({ dashboard }) => panelsOf(dashboard).flatMap((p) => (p.targets ?? []).filter(isClickHouse).map((t) => t.rawSql ?? '')))
      .flatMap((sql) => [...sql.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)/gi)].map((m) => m[1]!));
    expect(named.length).toBeGreaterThan(5);
    for (const view of named) expect(readableViews(), view).toContain(view);
  });
});
