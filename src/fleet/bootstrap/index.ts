import type { BootstrapSpec } from './bootstrap-spec';
import { linuxBootstrap } from './linux';
import { macosBootstrap } from './macos';
import { windowsBootstrap } from './windows';

export {
  RUNNER_DIRS,
  SECRET_FORMAT,
  type BootstrapSpec,
  type RegistrationSecret,
} from './bootstrap-spec';
export { psQuote, shQuote } from './quote';

/** The boot script for a runner: bash (Ubuntu, macOS) or PowerShell (Windows). */
export function bootstrapScript(spec: BootstrapSpec): string {
  switch (spec.os) {
    case 'ubuntu':
      return linuxBootstrap(spec);
    case 'windows':
      return windowsBootstrap(spec);
    case 'macos':
      return macosBootstrap(spec);
  }
}
