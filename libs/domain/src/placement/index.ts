export { DEFAULT_AGENT_CAPABILITIES } from './task-demand';
export type { ContainerType, PlacementOffer, TaskDemand } from './task-demand';
export { fitTask } from './fit-task';
export type { FitResult } from './fit-task';
export { MAX_INSTANCES_PER_OFFER, placeTasks } from './place-tasks';
export type { OfferPlacement, QueuedLaunch, TaskLaunch } from './place-tasks';
export { funnelReason, REASON_FUNNEL } from './no-match-reason';
export type {
  ConstraintMismatch,
  ContainerMismatch,
  NoMatchReason,
  NoMatchReasonKind,
  PortShortage,
  ScalarShortage,
} from './no-match-reason';
export { summariseReasons } from './summarise-reasons';
export type { ReasonSummary, RejectStep } from './summarise-reasons';
export { PlacementInputError } from './placement-errors';
