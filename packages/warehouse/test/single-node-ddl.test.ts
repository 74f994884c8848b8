import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SINGLE_NODE, allMigrations, type Migration } from '../src/index.ts';

/*
 * Applied migrations are checksummed and a changed text is refused, so the single-node rendering
 * (every existing deployment, every test) must stay byte for byte what it was. These checksums
 * were taken from the code before the cluster layout was added; migrations added since are not
 * pinned here (their own checksums protect them once applied).
 */

/** Checksum of each migration as migrate() computes it (statements joined by "\n;\n"). */
const PINNED: ReadonlyArray<readonly [string, string]> = [
  ['0001_divisions', 'd846c76c93438ea7e689c25a0d88032ae8ffce9aae29179998118adca0676533'],
  ['0002_dead_letters', 'cec03a25094de74cd06f44877afa0e2eff061e1e6f6a781ba95fbbd2f7d527af'],
  ['0003_event_ledger', '3d63475ecc952a1046ea5965475dbce90317eb57e0e50decf825be9d01811ae1'],
  ['0004_ingest_batches', 'b8ba4b98c232eef9426cc937b1994be4bf139df83be786f88d42b5f806ca9015'],
  ['0006_ingest_intents', '6a13f86ec9e369d7d5d8a7275d54b59e7f1800bb14368e06481daacef00ae3d1'],
  ['0007_division_editions_and_code_changes', '05f866acb6a4d6d3fb5dbe448bd0be1600b34fcb9c425a92f2975e36cbcb5614'],
  ['0008_dead_letter_places_and_replays', '4b7476dfd84bc33a6ecb7a9d24cb51af78b12595b54b9e47318314601b1153e5'],
  ['0005_bulletins', '1e31d0ccb110bb8c81dd93cceed731491b92d120602cfab00741be51fbea23c7'],
  ['grid-visit/0001_tables', '144213803a61f149ae8142ee668f214f51a32d799a3a366fa694920658380656'],
  ['grid-visit/0002_ledger_written_by_ingest', 'bcbd259cac4356410300bbc318d4228c0cb4ba18f09db3d96a54f2d78c04b5b4'],
  ['grid-visit/0003_rollup_per_level_and_totals', '50b00f83bd3b7c63916aee91ec1f2138f6aa3bdfcb7d34802e40a9710e2c8252'],
  ['grid-visit/0004_rollup_one_view_per_grain', '03681a8a64954d4815f7ac861fed6710c597bb26ca4a2be2d729fa60bff9fd58'],
  ['grid-visit/0005_places_at_every_level_and_area', 'ae7b9a8351250d80826001253d137734c4c2debfde664aaec734a10f0be25798'],
  ['grid-visit/views', '8c590925f0605b84b77fd37bf0fb0e4d2ae252280b7770bf60220d038e5ab601'],
  ['dispute-case/0001_tables', '814318816516d8bdf6d92cdeaf3c238b73eb7a34c4e22c6ccb659af354b4ea4a'],
  ['dispute-case/0002_ledger_written_by_ingest', 'bd9542f550fabb07d1b9448e42e9dfeacf5a8ba3160f85ae9571f33c5193b7b7'],
  ['dispute-case/0003_rollup_per_level_and_totals', '2d066088bb6c9e64c213b25a629f91df0169746e67b0372c926e71c0c51fa392'],
  ['dispute-case/0004_rollup_one_view_per_grain', '9266c7ddfdcdccbe01c43c087f578aa888a703ce52fc549bd721251fcf5ffe40'],
  ['dispute-case/0005_places_at_every_level_and_area', '4dd3864fdbf37ab12e8db5afbaf6c257a359837d82580333c45313a6c69a8680'],
  ['dispute-case/views', '089cdf752339af6c578b0ebeb3d155d93288efab79edc6472a18066d0ee65154'],
  ['training-attendance/0001_tables', '24df7c4b7946b9a0ea75661018cd2544c7b528f1cbe7f4b88a0ed47519991980'],
  ['training-attendance/0002_ledger_written_by_ingest', '5d2b24995e3b1324286f3df05985d5f52e12cda187d520c3204f71c70fb2874f'],
  ['training-attendance/0003_rollup_per_level_and_totals', '6dfb99e106bbc7437ec4b622b9178c0a9e1c7f8427c45cb99b6090fbd623f4b5'],
  ['training-attendance/0004_rollup_one_view_per_grain', 'e71c4c5690c6351d0706de5959a4819db89b13a5f97610dea4f1dd5e080431d0'],
  ['training-attendance/0005_places_at_every_level_and_area', 'ff31a369dd574e76810a67162a388bfe0756f389684f8fa624473c242df7b4a5'],
  ['training-attendance/views', '0fb6b862a4979eceecdf172519c47e22dbd42d3fced0ed5640a4d97e2f1e3b91'],
  ['cooperative-sale/0001_tables', '347f9ee3d3093c74b109d6c5cc540d8bf1f6e7cc4d074f1f503a0edb1e299701'],
  ['cooperative-sale/0002_ledger_written_by_ingest', 'd52228d6b78a25075c9a486dfafd78d0024f22826413104ca25a21afcd3edd27'],
  ['cooperative-sale/0003_rollup_per_level_and_totals', '21334c257f4232e5d9a158bc0ace2587269811b9ca46486b7779b24d079e27b3'],
  ['cooperative-sale/0004_rollup_one_view_per_grain', '3a8c447acad7010638794b49f82118983ce6a9d284a4b7ec482f1cb0804e25a7'],
  ['cooperative-sale/0005_places_at_every_level_and_area', '48d5f3b0aafb0b65ed1441eeb9a6f60ffbb9047ed06f6575e2060735de08823d'],
  ['cooperative-sale/views', '5c7a08e1bbba2f347b8e480172ac94a328c5f961501b7a6845049c087d27faf9'],
];

/** sha256 of the pinned migrations' statements, each migration's joined by "\n;\n", all by "\n;;\n". */
const PINNED_SHA256 = '832ce5632bac8e148bfdf5b1c73239d94c49ee6c3d12d9e49c3701954daadf3f';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const checksum = (migration: Migration) => sha256(migration.statements.join('\n;\n'));

describe('the single-node rendering', () => {
  const byId = new Map(allMigrations(SINGLE_NODE).map((m) => [m.id, m]));

  it('still renders every migration that existed before the cluster layout, in the same order', () => {
    const pinnedIds = PINNED.map(([id]) => id);
    expect(
      pinnedIds.filter((id) => !byId.has(id)),
      'pinned migrations missing',
    ).toEqual([]);
    const order = [...byId.keys()].filter((id) => pinnedIds.includes(id));
    expect(order).toEqual(pinnedIds);
  });

  it('is byte-identical to what it was for those migrations', () => {
    const changed = PINNED.filter(([id, sum]) => checksum(byId.get(id)!) !== sum).map(([id]) => id);
    expect(changed, 'these applied migrations would be refused by migrate() (checksum changed)').toEqual([]);
    const joined = PINNED.map(([id]) => byId.get(id)!.statements.join('\n;\n')).join('\n;;\n');
    expect(sha256(joined)).toBe(PINNED_SHA256);
  });

  it('has no ON CLUSTER, Replicated engine, Distributed table or shard-local name', () => {
    const text = [...byId.values()].flatMap((m) => m.statements).join('\n');
    expect(text).not.toMatch(/ON CLUSTER|Replicated|Distributed\(|_local\b/);
  });
});
