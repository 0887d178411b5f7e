// A private PostgreSQL server for drill (b) (issue 13 part 4): `initdb` into a temporary folder and `pg_ctl` on a free
// port, so the drill can stop and start *its own* PostgreSQL mid-load without touching the machine's shared cluster
// (which other test processes use). PostgreSQL refuses to run as root: as root, the folder is handed to the
// `postgres` system user and the binaries run as that user through `runuser`.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server.ts';

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  /** A fast shutdown: open connections are terminated, new ones refused until `start`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server (if running) and deletes its folder. */
  dispose(): void;
}

/** The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<major>/bin), or undefined. */
export function postgresBinFolder(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : undefined;
}

function postgresUserIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinFolder();
  if (!bin) throw new Error('No PostgreSQL server binaries in /usr/lib/postgresql/*/bin (install the postgresql package).');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? postgresUserIds() : undefined;
  if (asRoot && !owner) throw new Error('Running as root, and there is no `postgres` user to run a private PostgreSQL as.');
  const folder = mkdtempSync(join(tmpdir(), 'patron-private-pg-'));
  const data = join(folder, 'data');
  if (owner) chownSync(folder, owner.uid, owner.gid);
  const command = (tool: string, args: string[]): [string, string[]] => (owner ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args]);
  const run = async (tool: string, args: string[]) => {
    const [file, fullArgs] = command(tool, args);
    await promisify(execFile)(file, fullArgs, { cwd: folder, timeout: 120_000 });
  };
  const port = await freePort();
  await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60`;
  const start = async () => {
    await run('pg_ctl', ['-D', data, '-o', options, '-l', join(folder, 'server.log'), '-w', '-t', '60', 'start']);
  };
  const stop = async () => {
    await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  };
  try {
    await start();
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    dispose() {
      // Synchronous, so a test's `finally` can call it without awaiting; `immediate` as nothing needs to be kept. A
      // server that is not running (a failed start) makes pg_ctl fail, which must not hide the drill's own error.
      try {
        execFileSync(...command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']), { cwd: folder, stdio: 'ignore', timeout: 60_000 });
      } catch {
        // Not running.
      }
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
