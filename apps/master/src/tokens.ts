/** Injection tokens for the master's ports and settings. */
export const CAIRN_CONFIG = Symbol('CAIRN_CONFIG');
export const EVENT_LOG = Symbol('EVENT_LOG');
export const CLOCK = Symbol('CLOCK');
export const ID_SOURCE = Symbol('ID_SOURCE');
export const AGENT_TOKEN = Symbol('AGENT_TOKEN');
/** `OpenLogWriter`: opens the log's writer when this master is elected. */
export const OPEN_LOG_WRITER = Symbol('OPEN_LOG_WRITER');
/** `CreateElection`: this master's candidacy. */
export const CREATE_ELECTION = Symbol('CREATE_ELECTION');
/** `SnapshotStore`: where the leader keeps snapshots of the state. */
export const SNAPSHOT_STORE = Symbol('SNAPSHOT_STORE');
