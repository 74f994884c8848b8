import type { PlaceIndex } from '@govstats/divisions';
import { createLogger } from '@govstats/log';
import type { Store } from '@govstats/store';
import { catalogueVersion, loadPlaceIndex } from '@govstats/warehouse';
import type { PlaceLookup } from './decode-message.ts';

const log = createLogger('ingest');

async function loadPlaces(store: Store): Promise<PlaceIndex> {
  const places = await loadPlaceIndex(store);
  if (places.places === 0) throw new Error('the divisions table is empty: run `govstats migrate` to load the division catalogue');
  log.info({ places: places.places, retiredCodes: places.retiredCodes }, 'division catalogue loaded');
  return places;
}

/**
 * The division catalogue ingest checks subjects against. Editions and corrections are loaded
 * while ingest runs: `refresh` picks them up without a restart, reading the catalogue again only
 * when a load changed it.
 */
export function createDivisionCatalogue(store: Store) {
  let places: PlaceIndex | undefined;
  let version = '';

  return {
    async load(): Promise<void> {
      version = await catalogueVersion(store);
      places = await loadPlaces(store);
    },
    async refresh(): Promise<void> {
      const current = await catalogueVersion(store);
      if (current === version) return;
      places = await loadPlaces(store);
      version = current;
    },
    current(): PlaceLookup {
      if (!places) throw new Error('the division catalogue is not loaded yet');
      return places;
    },
  };
}
