import { EmptyJsonBodyError } from '../errors/json-body.errors';

/**
 * The body of a route that needs one. The JSON parser lets an empty body through as `undefined`
 * (Marathon clients send a JSON content type on every request); here it is Marathon's 400
 * "Please specify data in JSON format".
 */
export function requireJsonBody(body: unknown): unknown {
  if (body === undefined) throw new EmptyJsonBodyError();
  return body;
}
