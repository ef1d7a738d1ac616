/**
 * The CLI's exit codes: a contract for scripts, printed by `cairn --help`. Each failure class has
 * one code, so a script can tell "fix your input" (1, 2) from "try again later" (3, 4).
 */
export const ExitCode = {
  Ok: 0,
  /** The API refused the request (HTTP 4xx): its message and details are on stderr. */
  Refused: 1,
  /** Bad arguments, or an input file that cannot be read or is not valid JSON. */
  Usage: 2,
  /** No answer from the master (connection refused, DNS, timeout, stream cut). */
  Unreachable: 3,
  /** The master failed (HTTP 5xx, including 503 while it is not ready). */
  ServerError: 4,
  /** A local command failed: the master could not start or the log could not be replayed. */
  LocalFailure: 5,
  /** `cairn verify` found a damaged, altered or diverging log: the first failing offset is on stderr. */
  VerifyFailed: 6,
  /** A second Ctrl-C while stopping: stopped without waiting for a clean shutdown. */
  Forced: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    the API refused the request (HTTP 4xx); its message and details go to stderr
  2    usage error: bad arguments, or an input file that cannot be read or is not valid JSON
  3    cannot reach the master (connection refused, timeout, stream cut); the URL is named
  4    the master failed (HTTP 5xx, including 503 while not ready; Retry-After is printed)
  5    a local command failed (master could not start or stopped on an error, replay failed)
  6    'cairn verify' found the log damaged, altered or diverging; the first failing offset is named
  130  a second Ctrl-C forced a stop without a clean shutdown
  'cairn master' and 'cairn dev' exit with the code the master stops with (0 after Ctrl-C).

Environment:
  CAIRN_MASTER   master URL(s) for API commands, comma-separated (default http://127.0.0.1:8080)
  CAIRN_PORT, CAIRN_HOST, CAIRN_LOG, CAIRN_DATA_DIR, KAFKA_BROKERS, CAIRN_CLUSTER, CAIRN_SEED
                 configure 'cairn master', 'cairn dev', 'cairn replay' and 'cairn verify' (flags override them)
  CAIRN_DEBUG=1  print stack traces of unexpected errors
`;
