import { queueRow } from './queue-view';

const nowMs = Date.parse('2025-01-02T03:10:00.000Z');

describe('queueRow', () => {
  it('shows app, count, delay left, age, unused offers and the reasons that declined them', () => {
    const row = queueRow(
      {
        app: { id: '/prod/web', instances: 3 },
        count: 2,
        delay: { timeLeftSeconds: 42, overdue: false },
        since: '2025-01-02T03:05:00.000Z',
        processedOffersSummary: {
          processedOffersCount: 5,
          unusedOffersCount: 4,
          rejectSummaryLastOffers: [
            { reason: 'UnfulfilledRole', declined: 0, processed: 5 },
            { reason: 'InsufficientCpus', declined: 3, processed: 5 },
            { reason: 'UnfulfilledConstraint', declined: 1, processed: 2 },
          ],
        },
      },
      nowMs,
    );
    expect(row).toEqual(['/prod/web', '2', '42s', '5m', '4 of 5', 'InsufficientCpus 3, UnfulfilledConstraint 1']);
  });

  it('shows - for an overdue delay, no summary and no declines', () => {
    const row = queueRow({ app: { id: '/a' }, count: 1, delay: { timeLeftSeconds: 0, overdue: true } }, nowMs);
    expect(row).toEqual(['/a', '1', '-', '-', '-', '-']);
  });
});
