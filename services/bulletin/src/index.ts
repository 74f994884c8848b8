export type * from './document.ts';
export { parsePeriod, previousPeriod, yearAgoPeriod, makePeriod, periodEnd } from './period.ts';
export { collectFigures, type BulletinContent } from './collect-figures.ts';
export { issueBulletin, issuerLockFile, type IssuedBulletin, type IssueRequest } from './issue-bulletin.ts';
export { IssuerBusyError } from './issuer-lock.ts';
export { RevisionTakenError } from './publish-revision.ts';
export { createBulletinService, type BulletinService, type BulletinScheduleOptions } from './bulletin-service.ts';
export { duePeriods } from './schedule.ts';
export { requireCity, UnknownCityError } from './check-city.ts';
