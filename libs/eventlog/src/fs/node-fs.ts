import { constants } from 'node:fs';
import {
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
import { fsError, hasErrorCode, type Fs, type FsFile } from './fs.port';

/** The real Fs, on node:fs/promises. */
export class NodeFs implements Fs {
  async openRead(path: string): Promise<FsFile> {
    return new NodeFsFile(path, await open(path, constants.O_RDONLY));
  }

  async openWrite(path: string): Promise<FsFile> {
    // O_RDWR|O_CREAT without O_APPEND: writes land at the position we pass, never at "the end".
    return new NodeFsFile(path, await open(path, constants.O_RDWR | constants.O_CREAT, 0o644));
  }

  readdir(dir: string): Promise<string[]> {
    return readdir(dir);
  }

  async mkdirp(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
  }

  async syncDir(dir: string): Promise<void> {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  readFile(path: string): Promise<Buffer> {
    return readFile(path);
  }

  async writeFile(path: string, data: Buffer): Promise<void> {
    await writeFile(path, data);
    const handle = await open(path, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  link(from: string, to: string): Promise<void> {
    return link(from, to);
  }

  rename(from: string, to: string): Promise<void> {
    return rename(from, to);
  }

  unlink(path: string): Promise<void> {
    return unlink(path);
  }

  async sizeOf(path: string): Promise<number | undefined> {
    try {
      return (await stat(path)).size;
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  }
}

class NodeFsFile implements FsFile {
  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    const { bytesRead } = await this.handle.read(buffer, offset, length, position);
    return bytesRead;
  }

  async writev(buffers: readonly Buffer[], position: number): Promise<void> {
    let pending = buffers.filter((b) => b.length > 0);
    let at = position;
    while (pending.length > 0) {
      const { bytesWritten } = await this.handle.writev(pending, at);
      if (bytesWritten === 0) throw fsError('EIO', `writev to ${this.path} at ${at} wrote nothing`);
      at += bytesWritten;
      pending = dropWritten(pending, bytesWritten);
    }
  }

  sync(): Promise<void> {
    return this.handle.datasync();
  }

  truncate(size: number): Promise<void> {
    return this.handle.truncate(size);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** What is left to write after a short writev of `written` bytes. */
function dropWritten(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i].length) {
    skip -= buffers[i].length;
    i++;
  }
  const rest = buffers.slice(i);
  if (rest.length > 0 && skip > 0) rest[0] = rest[0].subarray(skip);
  return rest;
}
