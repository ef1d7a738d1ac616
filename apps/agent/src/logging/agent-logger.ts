import pino, { type Logger } from 'pino';

/**
 * The agent's log: pino JSON lines on stderr, like the master's (stdout stays free). The level
 * comes from CAIRN_LOG_LEVEL (default info).
 */
export function createAgentLogger(level = process.env.CAIRN_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { pid: process.pid, component: 'agent' } }, pino.destination({ fd: 2, sync: false }));
}
