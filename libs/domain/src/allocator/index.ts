export { allocate, allocations, holdsMinOffer } from './allocate';
export type { AgentSlot, AllocationInput, FilterLookup, FrameworkDemand, MinOffer, OfferDraft } from './allocate';
export type { OfferFilter } from './offer-filters';
export type { Sorter, SorterFactory } from './sorter';
export { dominantShare, DrfSorter, drfSorter } from './drf-sorter';
export { isAllocatable, MIN_ALLOCATABLE_CPUS, MIN_ALLOCATABLE_MEM } from './allocatable';
export { AllocatorInputError } from './allocator-errors';
