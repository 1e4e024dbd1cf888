import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** Where and on what the figures were measured. */
export function machine(): string {
  const cores = cpus();
  return `${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version} (${process.platform}/${process.arch})`;
}

/** The commit, and whether the working tree differed from it. */
export function commit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    const sha = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain') === '' ? sha : `${sha} (working tree with uncommitted changes)`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
