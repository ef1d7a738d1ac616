// Four tiers by suffix, each a jest project: *.spec.ts (unit, pure and fast),
// *.int.spec.ts (a real broker or real files), *.e2e.spec.ts (compiled processes),
// *.faults.spec.ts (test/faults: failover and broker faults, real processes and brokers; run last,
// in band, with its own time budget by test/run-tests.js).
const { readFileSync } = require('node:fs');
const swc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;

const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^@cairn/(events|eventlog|domain|common|election)$': '<rootDir>/libs/$1/src',
    '^@cairn/(events|eventlog|domain|common|election)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,test,bench,infra}/**/*.spec.ts'],
      testPathIgnorePatterns: [
        '\\.int\\.spec\\.ts$',
        '\\.e2e\\.spec\\.ts$',
        '\\.faults\\.spec\\.ts$',
        '/node_modules/',
        '/dist/',
      ],
    },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{apps,libs,test,bench}/**/*.int.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.spec.ts'] },
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.faults.spec.ts'] },
  ],
};
