/**
 * Each code's latest row of the divisions table (ReplacingMergeTree keeps older rows until it
 * merges, so readers take argMax by updated_at). `retired` = 1 when a complete edition dropped it.
 */
export const LATEST_DIVISIONS = `(SELECT code, argMax(name, updated_at) AS name, argMax(short_name, updated_at) AS short_name,
    argMax(level, updated_at) AS level, argMax(area, updated_at) AS area, argMax(urban_rural_code, updated_at) AS urban_rural_code,
    argMax(area_source, updated_at) AS area_source, argMax(edition, updated_at) AS edition, argMax(retired, updated_at) AS retired
  FROM divisions GROUP BY code)`;

/** The places that are current: every edition and overlay applied, retired places left out. */
export const CURRENT_DIVISIONS = `(SELECT * FROM ${LATEST_DIVISIONS} WHERE retired = 0)`;
