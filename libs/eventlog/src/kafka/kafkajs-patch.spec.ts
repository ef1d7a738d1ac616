import { readFileSync } from 'node:fs';

/**
 * kafkajs 2.2.4's transaction manager ignores the client's retry settings, so a new leader's
 * InitProducerId (the call that fences the old one) always backs off ~300 ms after a leader died
 * mid-transaction (notes/kafka.md §0.1; 13-19 ms patched). patches/kafkajs+2.2.4.patch fixes it,
 * applied by `patch-package` on install: this fails loudly if an install skipped it.
 */
describe('the kafkajs patch', () => {
  it('is applied: the transaction manager uses the client retrier', () => {
    const source = readFileSync(require.resolve('kafkajs/src/producer/eosManager/index.js'), 'utf8');
    expect(source).toContain('cluster.retrier || createRetry(cluster.retry)');
  });
});
