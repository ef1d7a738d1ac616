/**
 * The end-to-end harness: real compiled processes, free ports, own temp dirs, and a registry
 * that kills whatever a test file started, even when it fails. Importing it (at the top of a test
 * file) registers the file-level cleanup.
 */
export { describeEachBackend } from './backends';
export { baseChildEnv, requireKafkaBrokers, withEnv } from './child-env';
export { cli, startCli } from './cli';
export type { CliOptions, CliResult, RunningCli } from './cli';
export { freePort } from './free-port';
export { httpClient, sendRequest } from './http-client';
export type { HttpClient, HttpResponse, Json, RequestOptions } from './http-client';
export { BACKENDS, MasterHandle, startMaster, uniqueCluster } from './master';
export type { Backend, MasterInfo, RestartOptions, StartMasterOptions } from './master';
export { liveProcesses, readProcStat, spawnTracked, sweepAll } from './process-registry';
export type { ExitStatus, PidRecord, TrackedProcess } from './process-registry';
export { offlineReplay } from './replay';
export type { ReplayResult } from './replay';
export { CLI_MAIN, FIXTURES_DIR, REPO_ROOT } from './repo-paths';
export { tempDir } from './temp-dir';
export { testRunDir } from './test-run';
export { skipLogVerification, verifyStartedLogs } from './verify-logs';
export { sleep, waitFor, WaitTimeoutError } from './wait-for';
export type { WaitForOptions } from './wait-for';
export { loadFixture, loadFixtureDir } from './fixtures';
export { describeResponse, marathonValidationProblems, requireWriteOffset, writeOffset } from './marathon-expect';
export { consoleConsume, consoleConsumeRecords } from './kafka-console';
export type { ConsoleConsumeOptions, ConsoleRecord } from './kafka-console';
export { AgentHandle, startAgent, startRackAgents, TEST_AGENT_TOKEN, TEST_MASTER_AGENT_ENV } from './agent';
export type { AgentRestartOptions, AgentView, StartAgentOptions } from './agent';
export {
  liveTaskGroups,
  liveWrappers,
  lockHolder,
  readSandboxTasks,
  recordTaskGroups,
  sweepWorkDir,
  sweepWorkDirAtFileEnd,
  TASK_WRAPPER_MARKER,
} from './agent-work-dir';
export type { SandboxTask } from './agent-work-dir';
export {
  childProcesses,
  commandLineOf,
  cwdOf,
  findProcessesByArgumentPrefix,
  isProcessLive,
  procInfo,
  processesInGroup,
  signalQuietly,
} from './os-processes';
export type { ProcInfo } from './os-processes';
export { startTcpForwarder } from './tcp-forwarder';
export type { TcpForwarder } from './tcp-forwarder';
export { allEvents, appTasks, endOffset, readTaskFile, stateHash, waitForRunningTasks } from './task-expect';
export type { EventView, MasterApi, TaskView } from './task-expect';
export { foldRollingRestart, getApp, waitForNoDeployment, waitForSettled } from './deployment-expect';
export type { RollingRestartFold } from './deployment-expect';
export { checkMarathonResponse, MarathonShapeError, shapeOf, shapeViolations } from './marathon-shapes';
export type { Shape, ShapeViolation } from './marathon-shapes';
export { ALIVE_HTTP_CHECK, SERVE_SANDBOX_CMD } from './web-task';
export {
  floodingSimulatedAgentsArgs,
  LoadWrite,
  LoadSummary,
  loadApps,
  PutJson,
  scaleLoad,
  summarise,
} from './rest-load';
