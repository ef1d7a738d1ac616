/**
 * Marathon's `--local_port_min` / `--local_port_max` defaults: service ports for `port: 0` come
 * from [10000, 20000), max exclusive as in Marathon (`Range(min, max)`).
 */
export const SERVICE_PORT_MIN = 10_000;
export const SERVICE_PORT_MAX = 20_000;
