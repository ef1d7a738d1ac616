import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'infra/kafka/.cache/**', 'bench/results/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: ['**/*.spec.ts', 'test/**', 'bench/**', 'apps/cli/**'], rules: { 'no-console': 'off' } },
  // The domain decides and folds: the same inputs must give the same events and state, live, in a
  // replay and in a simulation. So no clock, no randomness, no timers and no I/O in it: time comes
  // in a command's `meta.now`, chance from the seeded id source, everything else from the caller.
  // Checked by libs/domain/src/domain-purity.spec.ts in `npm test`, not only by `npm run lint`.
  {
    files: ['libs/domain/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate'].map(
          (name) => ({ name, message: 'timers belong to the caller: the domain decides on meta.now' }),
        ),
        ...['fetch', 'process', 'performance', 'require', 'crypto'].map((name) => ({
          name,
          message: 'the domain does no I/O and reads no clock, environment or randomness',
        })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: "the domain reads no clock: use the command's meta.now" },
        { object: 'Math', property: 'random', message: 'the domain draws no chance: use the seeded id source' },
        { object: 'performance', property: 'now', message: 'the domain reads no clock' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "new Date() reads the clock: use the command's meta.now (isoTime formats it)",
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...[
              'fs',
              'fs/promises',
              'child_process',
              'net',
              'http',
              'https',
              'http2',
              'dgram',
              'dns',
              'os',
              'timers',
              'timers/promises',
              'worker_threads',
              'process',
              'readline',
              'cluster',
              'perf_hooks',
            ].flatMap((name) => [
              { name, message: 'the domain does no I/O and reads no clock' },
              { name: `node:${name}`, message: 'the domain does no I/O and reads no clock' },
            ]),
            ...['crypto', 'node:crypto'].map((name) => ({
              name,
              importNames: ['randomUUID', 'randomBytes', 'randomInt', 'randomFillSync', 'getRandomValues', 'webcrypto'],
              message: 'the domain draws no chance: use the seeded id source (hashing is fine)',
            })),
            {
              name: '@cairn/common',
              importNames: ['SystemClock', 'randomSeed'],
              message: 'the domain reads no clock and draws no seed',
            },
            { name: '@cairn/common/clock', allowTypeImports: true, message: 'the domain takes time as meta.now' },
            { name: '@cairn/eventlog', allowTypeImports: true, message: 'the domain does no I/O: types only' },
          ],
          patterns: [
            {
              group: ['@nestjs/*', 'kafkajs', 'pino', 'fastify', '@cairn/election'],
              message: 'the domain does no I/O',
            },
          ],
        },
      ],
    },
  },
);
