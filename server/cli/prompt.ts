import { createInterface } from 'node:readline/promises';

/** Asks for the first admin account on a terminal; the password is not echoed. */
export async function askAdminAccount(): Promise<{ username: string; password: string }> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  try {
    process.stdout.write('No users yet. Create the first admin account.\n');
    const username = (await rl.question('Admin username: ')).trim();
    const output = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
    const write = output._writeToOutput.bind(rl);
    output._writeToOutput = (s: string) => write(s.startsWith('Admin password') ? s : s.replace(/[^\r\n]/g, '*'));
    const password = await rl.question('Admin password (at least 12 characters): ');
    output._writeToOutput = write;
    process.stdout.write('\n');
    return { username, password };
  } finally {
    rl.close();
  }
}
