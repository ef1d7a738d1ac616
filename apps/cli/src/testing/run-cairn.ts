import { run } from '../cli';
import { captureIo } from './capture-io';

/** Runs `cairn ARGS --master URL` in-process with captured output: what a CLI spec checks. */
export async function runCairn(masterUrl: string, args: readonly string[]) {
  const io = captureIo();
  const code = await run([...args, '--master', masterUrl], io);
  return { code, out: io.out(), err: io.err() };
}

/** A printed table as rows of cells (columns are separated by two or more spaces). */
export function tableCells(out: string): string[][] {
  return out
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/\s{2,}/));
}
