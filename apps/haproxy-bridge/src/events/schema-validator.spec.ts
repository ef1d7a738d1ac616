import { defaultSchemaDir, SchemaValidator } from './schema-validator';

const validator = new SchemaValidator(defaultSchemaDir());

const envelope = {
  id: 'c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f',
  at: '2026-01-01T00:10:00.000Z',
  actor: 'system',
  correlationId: 'c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f',
  causationId: 'c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f',
};
const kill = {
  ...envelope,
  type: 'TaskKillRequested',
  v: 1,
  data: { taskId: 't1', agentId: 'a1', reason: 'scale down' },
};

describe('SchemaValidator (the published docs/events schemas)', () => {
  it('folds a valid record of a type the bridge reads', () => {
    expect(validator.check(JSON.stringify(kill))).toEqual({ action: 'fold', event: kill });
  });

  it('halts on a record of a folded type that does not match its schema', () => {
    const verdict = validator.check(JSON.stringify({ ...kill, data: { taskId: 't1' } }));
    expect(verdict.action).toBe('halt');
    expect(verdict.action === 'halt' && verdict.reason).toMatch(/TaskKillRequested v1 .*agentId/);
  });

  it('halts on a newer version of a folded type, and on a value that is not JSON', () => {
    expect(validator.check(JSON.stringify({ ...kill, v: 2 }))).toEqual({
      action: 'halt',
      reason: 'TaskKillRequested v2 is a version this bridge does not read: upgrade it',
    });
    expect(validator.check('{nope').action).toBe('halt');
  });

  it('ignores types it does not fold, known or not', () => {
    expect(validator.check(JSON.stringify({ ...envelope, type: 'OffersMade', v: 1, data: {} }))).toEqual({
      action: 'ignore',
    });
    expect(validator.check(JSON.stringify({ ...envelope, type: 'SomethingNew', v: 1, data: {} }))).toEqual({
      action: 'ignore',
    });
  });
});
