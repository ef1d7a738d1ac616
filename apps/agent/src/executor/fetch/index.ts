export * from './artifact';
export { ArtifactFetchError, fetchArtifacts } from './fetch-artifacts';
