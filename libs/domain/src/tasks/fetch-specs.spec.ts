import type { AppDefinition } from '@cairn/events';
import { fetchSpecs } from './fetch-specs';

const app = (fields: Record<string, unknown>) => ({ id: '/a', ...fields }) as unknown as AppDefinition;

describe('fetchSpecs', () => {
  it("fills Marathon's Artifact defaults into fetch items", () => {
    expect(
      fetchSpecs(
        app({
          fetch: [
            { uri: 'http://h/a.tgz' },
            { uri: 'file:///x', extract: false, executable: true, cache: true, destPath: 'bin/x' },
          ],
        }),
      ),
    ).toEqual([
      { uri: 'http://h/a.tgz', extract: true, executable: false, cache: false, destPath: null },
      { uri: 'file:///x', extract: false, executable: true, cache: true, destPath: 'bin/x' },
    ]);
  });

  it('translates the deprecated uris, one artifact each with the same defaults', () => {
    expect(fetchSpecs(app({ fetch: [], uris: ['http://h/a.zip', 'https://h/b'] }))).toEqual([
      { uri: 'http://h/a.zip', extract: true, executable: false, cache: false, destPath: null },
      { uri: 'https://h/b', extract: true, executable: false, cache: false, destPath: null },
    ]);
  });

  it('is empty for an app that fetches nothing', () => {
    expect(fetchSpecs(app({}))).toEqual([]);
    expect(fetchSpecs(app({ fetch: [] }))).toEqual([]);
  });
});
