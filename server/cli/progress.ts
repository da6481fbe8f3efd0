import cliProgress from 'cli-progress';

export interface StageProgress {
  update: (done: number, total: number, label: string) => void;
  /** work whose length is not known ahead: the current step, on one line */
  note: (label: string) => void;
  stop: () => void;
}

/**
 * A progress bar for long work on a terminal; elsewhere (CI, pipes) one line per stage, so
 * logs stay readable.
 */
export function stageProgress(title: string, stream: NodeJS.WriteStream = process.stderr): StageProgress {
  if (!stream.isTTY) {
    return {
      update: (done, total, label) => stream.write(`${title}: ${done}/${total} ${label}\n`),
      note: (label) => stream.write(`${title}: ${label}\n`),
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${title} [{bar}] {value}/{total} {label}`, stream, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let noted = false;
  return {
    update: (done, total, label) => {
      if (!started) {
        bar.start(total, done, { label });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { label });
    },
    note: (label) => {
      noted = true;
      stream.write(`\r\x1b[K${title}: ${label}`);
    },
    stop: () => {
      if (started) bar.stop();
      if (noted) stream.write('\n');
    },
  };
}
