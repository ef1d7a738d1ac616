import { LEADER_TOPIC_CONFIG, leaderTopicProblems } from './leader-topic-config';

describe('leaderTopicProblems', () => {
  const fit = { partitions: 1, config: { ...LEADER_TOPIC_CONFIG } };
  it.each([
    { name: 'the topic Cairn creates is fit', topic: fit, want: [] },
    { name: 'two partitions are refused', topic: { ...fit, partitions: 2 }, want: [/2 partitions/] },
    {
      name: 'infinite retention is refused',
      topic: { ...fit, config: { ...fit.config, 'retention.ms': '-1' } },
      want: [/kept forever/],
    },
    {
      name: 'a retention of a minute is refused',
      topic: { ...fit, config: { ...fit.config, 'retention.ms': '60000' } },
      want: [/at least/],
    },
    {
      name: 'compaction is refused',
      topic: { ...fit, config: { ...fit.config, 'cleanup.policy': 'compact,delete' } },
      want: [/compaction/],
    },
    {
      name: 'an unknown retention is refused',
      topic: { partitions: 1, config: { 'cleanup.policy': 'delete' } },
      want: [/unknown/],
    },
    {
      name: 'the broker default of 7 days is accepted',
      topic: { partitions: 1, config: { 'cleanup.policy': 'delete', 'retention.ms': '604800000' } },
      want: [],
    },
  ])('$name', ({ topic, want }) => {
    const problems = leaderTopicProblems(topic);
    expect(problems).toHaveLength(want.length);
    want.forEach((pattern, i) => expect(problems[i]).toMatch(pattern));
  });
});
