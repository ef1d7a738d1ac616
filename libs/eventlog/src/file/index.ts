export * from './file-event-log';
export { MAX_FRAME_BYTES } from './frame-format';
export { GROUP_COMMIT_MAX_BATCHES_DEFAULT, GROUP_COMMIT_MAX_BYTES_DEFAULT } from './group-commit-writer';
export { LOCK_FILE_NAME } from './lock-file';
export { OsProcessProbe, type ProcessIdentity, type ProcessProbe } from './process-probe';
