/*
 * How an event type appears in the city statistical bulletin (统计公报, services/bulletin). Figures
 * are named by measure; labels and units come from the measures themselves (rollup-spec.ts), so a
 * figure reads the same in the headline, the tables, the demo and the reference.
 */

/** A table of the city's figures by some of the type's rollup dimensions, e.g. sales by product. */
export interface BreakdownSpec {
  /** Without its number: 表3, 表4 … are given in bulletin order. */
  title: string;
  by: string[];
  /** Measures shown as columns. */
  columns: string[];
  /** Row name from the dimension values (default: the values joined); `names` translates codes. */
  rowName?(dimensions: Record<string, string>): string;
  /** Rows in descending order of this column (default: the last one). */
  sortBy?: string;
  /** Columns drawn as bar charts. */
  charts?: string[];
}

export interface BulletinPart {
  /** Title of the type's headline section, e.g. 矛盾纠纷排查化解. */
  title: string;
  /** Figures of the section, in reading order; the first one opens its paragraph with 全市. */
  headline: string[];
  /** Columns it adds to the tables by county and by township. */
  placeColumns?: string[];
  /** Of its place columns, those drawn by county as bar charts. */
  countyCharts?: string[];
  /** Rows it adds to the urban/rural table (城乡分列). */
  areaRows?: string[];
  breakdowns?: BreakdownSpec[];
  /** 指标解释 for its measures, shown when the bulletin contains the measure. */
  definitions?: Record<string, string>;
}
