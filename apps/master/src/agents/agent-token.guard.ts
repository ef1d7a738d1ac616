import { CanActivate, ExecutionContext, HttpException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AGENT_TOKEN } from '../tokens';
import { principalOf } from '../auth/principal';

/** Agents present the cluster's token (`Authorization: Bearer …`); anything else is refused and logged. */
@Injectable()
export class AgentTokenGuard implements CanActivate {
  private readonly logger = new Logger('AgentTokenGuard');

  constructor(@Inject(AGENT_TOKEN) private readonly token: string) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // With API auth on, the auth hook has checked the token already (CAIRN_AGENT_TOKEN, or an
    // `agent` entry of CAIRN_AUTH_FILE) and let only the agent role through.
    if (principalOf(request)?.role === 'agent') return true;
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (presented && sameSecret(presented, this.token)) return true;
    this.logger.warn(
      `refused agent request ${request.method} ${request.url} from ${request.ip}: ${presented ? 'bad' : 'missing'} agent token`,
    );
    throw new HttpException(
      {
        message: presented
          ? 'Invalid agent token.'
          : 'Missing agent token: send Authorization: Bearer <CAIRN_AGENT_TOKEN>.',
      },
      HttpStatus.UNAUTHORIZED,
    );
  }
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
