// Lints libs/domain with the repository's ESLint config, outside jest (whose VM cannot load the
// config's ES module): the sources, then each snippet given on stdin as if it were a domain file.
// Prints JSON: { files, leaks: [...], snippets: [[ruleId, ...], ...] }. Used by domain-purity.spec.ts.
import { resolve } from 'node:path';
import { ESLint } from 'eslint';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../../..');
const rules = new Set([
  'no-restricted-globals',
  'no-restricted-properties',
  'no-restricted-syntax',
  '@typescript-eslint/no-restricted-imports',
]);
const input = JSON.parse(
  await new Promise((done) => {
    let text = '';
    process.stdin
      .setEncoding('utf8')
      .on('data', (chunk) => (text += chunk))
      .on('end', () => done(text));
  }),
);
const eslint = new ESLint({ cwd: root });
const results = await eslint.lintFiles(['libs/domain/src/**/*.ts']);
const leaks = results.flatMap((r) =>
  r.messages
    .filter((m) => m.ruleId !== null && rules.has(m.ruleId))
    .map((m) => `${r.filePath.slice(root.length + 1)}:${m.line} ${m.message}`),
);
const snippets = [];
for (const code of input.snippets) {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, 'libs/domain/src/purity-probe.ts') });
  snippets.push(result.messages.filter((m) => m.severity === 2).map((m) => m.ruleId ?? m.message));
}
process.stdout.write(JSON.stringify({ files: results.length, leaks, snippets }));
