#!/usr/bin/env node
import { run } from './cli';

/**
 * The `cairn` executable: the process-owning shell around run(). The process exits on its own
 * once stdout is flushed; a handle left open by a library (a client's timer, a socket) must
 * not keep it alive, hence a forced exit after a grace period.
 */
const EXIT_GRACE_MS = 2_000;

// `cairn events tail --follow | head` closes our stdout: that ends the command, quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  // Lazy: touching process.stdin opens it, and only `apps create -` reads it.
  get stdin() {
    return process.stdin;
  },
};

void run(process.argv.slice(2), io).then((code) => {
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
});
