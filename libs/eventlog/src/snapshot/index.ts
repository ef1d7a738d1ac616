export * from './snapshot-store';
export { FileSnapshotStore } from './file-snapshot-store';
export { MemorySnapshotStore } from './memory-snapshot-store';
export { KafkaSnapshotStore, SNAPSHOT_CHUNK_BYTES } from './kafka-snapshot-store';
export type { KafkaSnapshotStoreOptions } from './kafka-snapshot-store';
