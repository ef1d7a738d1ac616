import { EVENTS_TOPIC_CONFIG, topicConfigFixes, topicConfigProblems } from './topic-config';

describe('topicConfigProblems', () => {
  const fit = { partitions: 1, config: { ...EVENTS_TOPIC_CONFIG } };

  it('accepts the config Cairn creates', () => {
    expect(topicConfigProblems(fit)).toEqual([]);
  });

  const cases: { name: string; topic: typeof fit; mentions: RegExp }[] = [
    { name: 'three partitions', topic: { ...fit, partitions: 3 }, mentions: /3 partitions/ },
    {
      name: 'a week of time retention',
      topic: { ...fit, config: { ...fit.config, 'retention.ms': '604800000' } },
      mentions: /retention\.ms is 604800000/,
    },
    {
      name: 'a size limit',
      topic: { ...fit, config: { ...fit.config, 'retention.bytes': '1073741824' } },
      mentions: /retention\.bytes is 1073741824/,
    },
    {
      name: 'compaction',
      topic: { ...fit, config: { ...fit.config, 'cleanup.policy': 'compact' } },
      mentions: /compaction/,
    },
    {
      name: 'compaction plus delete',
      topic: { ...fit, config: { ...fit.config, 'cleanup.policy': 'compact,delete' } },
      mentions: /compaction/,
    },
    {
      name: 'a retention the broker did not report',
      topic: { ...fit, config: { ...fit.config, 'retention.ms': undefined } } as never,
      mentions: /retention\.ms is unknown/,
    },
  ];

  it.each(cases)('refuses $name', ({ topic, mentions }) => {
    const problems = topicConfigProblems(topic);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(mentions);
  });

  it('reports every problem at once', () => {
    expect(
      topicConfigProblems({
        partitions: 2,
        config: { 'retention.ms': '1', 'retention.bytes': '1', 'cleanup.policy': 'compact' },
      }),
    ).toHaveLength(4);
  });
});

describe('topicConfigFixes', () => {
  const fit = { partitions: 1, config: { ...EVENTS_TOPIC_CONFIG } };

  it('has nothing to say about a fit topic', () => {
    expect(topicConfigFixes('c.events', fit)).toEqual([]);
  });

  it('gives one kafka-configs command for every setting Kafka can change in place', () => {
    const fixes = topicConfigFixes('c.events', {
      partitions: 1,
      config: { 'retention.ms': '604800000', 'retention.bytes': '1', 'cleanup.policy': 'compact,delete' },
    });
    expect(fixes).toHaveLength(1);
    expect(fixes[0]).toContain(
      '--entity-name c.events --add-config retention.ms=-1,retention.bytes=-1,cleanup.policy=delete',
    );
  });

  it('says that partitions cannot be reduced', () => {
    const fixes = topicConfigFixes('c.events', { ...fit, partitions: 2 });
    expect(fixes).toEqual([expect.stringMatching(/cannot reduce a topic's partitions.*another CAIRN_CLUSTER/)]);
  });
});
