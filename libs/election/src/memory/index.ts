export { MemoryElectionTopic, type MemoryTopicDelays } from './memory-election-topic';
export { memoryElection, type MemoryElectionOptions } from './memory-election';
