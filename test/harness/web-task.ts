/**
 * A real task that tests can health-check: python's http.server serves the task's sandbox on
 * $PORT0 (loopback only), with an `alive` file a test may delete to make the check fail.
 */
export const SERVE_SANDBOX_CMD =
  'mkdir -p www && touch www/alive && cd www && exec python3 -m http.server $PORT0 --bind 127.0.0.1';

/** Marathon's HTTP health check on that server's `/alive`, every second. */
export const ALIVE_HTTP_CHECK = {
  protocol: 'HTTP',
  path: '/alive',
  portIndex: 0,
  gracePeriodSeconds: 30,
  intervalSeconds: 1,
  timeoutSeconds: 2,
  maxConsecutiveFailures: 3,
  delaySeconds: 0,
} as const;
