import { CairnConfig, loadConfig } from '../../master/src/config/cairn-config';
import type { RunningMaster } from '../../master/src/main';
import type { ReplayResult } from '../../master/src/replay/replay';
import type { OfflineLog } from '../../master/src/replay/offline';
import type { VerifyConfiguredLogOptions, VerifyReport } from '../../master/src/verify/verify';

/**
 * The master as the CLI uses it. The master's modules are loaded on demand: `cairn apps list`
 * must not pay for booting Nest. Tests pass their own ControlPlane to run().
 */
export interface ControlPlane {
  loadConfig(env: NodeJS.ProcessEnv, overrides: Partial<CairnConfig>): CairnConfig;
  startMaster(config: CairnConfig): Promise<RunningMaster>;
  replayLog(config: CairnConfig, range: { to?: number }): Promise<ReplayResult>;
  /** The log read directly, with no master running (read-only): the offline commands. */
  openOfflineLog(config: CairnConfig): Promise<OfflineLog>;
  verifyLog(config: CairnConfig, options: VerifyConfiguredLogOptions): Promise<VerifyReport>;
}

export type { CairnConfig, OfflineLog, ReplayResult, RunningMaster, VerifyReport };

export const realControlPlane: ControlPlane = {
  loadConfig,
  async startMaster(config) {
    const { startMaster } = await import('../../master/src/main');
    return startMaster(config);
  },
  async replayLog(config, range) {
    const { replayLog } = await import('../../master/src/replay/replay');
    return replayLog(config, range);
  },
  async openOfflineLog(config) {
    const { OfflineLog } = await import('../../master/src/replay/offline');
    return OfflineLog.open(config);
  },
  async verifyLog(config, options) {
    const { verifyConfiguredLog } = await import('../../master/src/verify/verify');
    return verifyConfiguredLog(config, options);
  },
};
