/** The URL clients use when told nothing: the default `cairn master` / `cairn dev` listen on. */
export const DEFAULT_MASTER_URL = 'http://127.0.0.1:8080';

/**
 * The master a local client (the CLI, `cairn agent`) reaches when neither `--master` nor
 * CAIRN_MASTER names one: the one `cairn master`/`cairn dev` would start with this same
 * environment (CAIRN_PORT, and CAIRN_HOST unless it binds every address), else the default. So
 * `CAIRN_PORT=18080 npm start` and `cairn apps list` in the same shell find each other.
 */
export function localMasterUrl(env: NodeJS.ProcessEnv): string {
  if (!env.CAIRN_PORT) return DEFAULT_MASTER_URL;
  const host = env.CAIRN_HOST;
  const reachable =
    !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${env.CAIRN_PORT}`;
}
