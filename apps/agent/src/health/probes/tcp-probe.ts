import { connect } from 'node:net';
import { errorCause, type Probe, type ProbeOutcome } from '../probe';
import { PROBE_HOST } from './http-probe';

/** Passes when a TCP connection to 127.0.0.1:<port> opens; it is closed at once. */
export function tcpProbe(port: number): Probe<ProbeOutcome> {
  return (signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve({ kind: 'failure', cause: 'aborted' });
      const socket = connect({ host: PROBE_HOST, port });
      const finish = (outcome: ProbeOutcome) => {
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve(outcome);
      };
      const onAbort = () => finish({ kind: 'failure', cause: 'aborted' });
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => finish({ kind: 'success' }));
      socket.once('error', (error) => finish({ kind: 'failure', cause: errorCause(error) }));
    });
}
