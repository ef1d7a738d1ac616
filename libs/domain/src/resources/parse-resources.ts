import { normalizeRanges, PortRange } from './port-ranges';
import { ResourceParseError } from './resource-errors';
import { addResources, EMPTY_RESOURCES, Resources } from './resources';

/**
 * Reads Mesos's simple resource text, as agents take it in `--resources`:
 *
 *   cpus:4;mem:8192;disk:1000;ports:[31000-32000]
 *   ports:[31000-31005,31010-31020]
 *
 * Tokens are `name:value` separated by `;` (blanks around tokens and an empty trailing token are
 * allowed). Scalars are decimal numbers (`4`, `0.5`); ports are `[begin-end,...]`, `[]` for none.
 * A name given twice is summed, as Mesos does. Cairn refuses what it does not model yet: other
 * names (gpus, custom resources), roles (`cpus(prod):4`) and reservations.
 */
export function parseResources(input: string): Resources {
  let result: Resources = EMPTY_RESOURCES;
  for (const raw of input.split(';')) {
    const token = raw.trim();
    if (token === '') continue;
    result = addResources(result, parseToken(input, token));
  }
  return result;
}

const SCALAR = /^(\d+(\.\d*)?|\.\d+)$/;
const RANGES = /^\[(.*)\]$/;
const RANGE = /^(\d+)\s*-\s*(\d+)$/;

function parseToken(input: string, token: string): Resources {
  const fail = (reason: string): never => {
    throw new ResourceParseError({ input, token, reason });
  };
  const colon = token.indexOf(':');
  if (colon < 0) fail("expected 'name:value'");
  const name = token.slice(0, colon).trim();
  const value = token.slice(colon + 1).trim();
  if (name.includes('(')) fail('roles and reservations are not supported yet; use unreserved resources');
  switch (name) {
    case 'cpus':
    case 'mem':
    case 'disk':
      if (!SCALAR.test(value)) fail(`'${name}' needs a non-negative decimal number`);
      return { ...EMPTY_RESOURCES, [name]: Number(value) };
    case 'ports':
      return { ...EMPTY_RESOURCES, ports: parseRanges(value, fail) };
    default:
      return fail(`unknown resource '${name}' (Cairn knows cpus, mem, disk, ports)`);
  }
}

function parseRanges(value: string, fail: (reason: string) => never): PortRange[] {
  const body = RANGES.exec(value)?.[1];
  if (body === undefined) return fail("ports need '[begin-end,...]'");
  if (body.trim() === '') return [];
  const ranges = body.split(',').map((part): PortRange => {
    const match = RANGE.exec(part.trim());
    if (match === null) return fail(`'${part.trim()}' is not a 'begin-end' range`);
    return [Number(match[1]), Number(match[2])];
  });
  try {
    return normalizeRanges(ranges);
  } catch (error) {
    return fail((error as Error).message);
  }
}
