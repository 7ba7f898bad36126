import { execFileSync } from 'node:child_process';

/** The path of an executable on PATH, or undefined when it is not installed. */
export function which(name: string): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

/** Why tests that need Debian's `prometheus` package are skipped here (CI installs it). */
export const PROMETHEUS_MISSING =
  'needs promtool and prometheus (Debian package `prometheus`: apt-get install -y prometheus; .ci/run installs it)';
