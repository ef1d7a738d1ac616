import type { FastifyRequest } from 'fastify';
import type { Role } from './auth-file';

/** Who a request was authenticated as (set by the auth hook; absent when auth is off). */
export interface Principal {
  readonly name: string;
  readonly role: Role;
}

/** The actor of a request's events when no one was authenticated (auth off). */
export const ANONYMOUS = 'anonymous';

const principals = new WeakMap<object, Principal>();

export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request.raw, principal);
}

export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request.raw);
}

/** The actor recorded in the events a request causes: the token's name, or `anonymous`. */
export function actorOf(request: FastifyRequest): string {
  return principalOf(request)?.name ?? ANONYMOUS;
}
