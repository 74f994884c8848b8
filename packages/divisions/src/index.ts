export { divisionCatalogue, parseCatalogue, shortenName, type Division } from './catalogue.ts';
