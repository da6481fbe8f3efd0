import { createInterface, type Interface } from 'node:readline/promises';

/** A question whose answer is shown as stars, for passwords. */
async function askHidden(rl: Interface, question: string): Promise<string> {
  const output = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
  const write = output._writeToOutput.bind(rl);
  output._writeToOutput = (s: string) => write(s.startsWith(question) ? s : s.replace(/[^\r\n]/g, '*'));
  try {
    return await rl.question(question);
  } finally {
    output._writeToOutput = write;
    process.stdout.write('\n');
  }
}

/** Asks for the first admin account on a terminal; the password is not echoed. */
export async function askAdminAccount(): Promise<{ username: string; password: string }> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  try {
    process.stdout.write('No users yet. Create the first admin account.\n');
    const username = (await rl.question('Admin username: ')).trim();
    const password = await askHidden(rl, 'Admin password (at least 12 characters): ');
    return { username, password };
  } finally {
    rl.close();
  }
}

/** Asks for a passphrase on a terminal without echoing it. */
export async function askPassphrase(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  try {
    return await askHidden(rl, question);
  } finally {
    rl.close();
  }
}
