import { monotonicFactory } from 'ulid';

/** ULIDs, as HCP uses for ids; monotonic so ids made in one millisecond still sort. */
export const newId: () => string = monotonicFactory();
