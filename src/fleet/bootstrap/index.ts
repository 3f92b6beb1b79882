import type { BootstrapSpec } from './bootstrap-spec';
import { linuxBootstrap } from './linux';
import { macosBootstrap } from './macos';
import { windowsBootstrap } from './windows';

export {
  RUNNER_DIRS,
  SECRET_FORMAT,
  type BootstrapSpec,
  type JitSource,
  type RegistrationSecret,
} from './bootstrap-spec';
export { psQuote, shQuote } from './quote';

/**
 * The boot script for a runner: bash (Ubuntu, macOS) or PowerShell (Windows). It takes
 * exactly one of `secret` (the runner registers itself) and `jit` (the scaler configures it).
 */
export function bootstrapScript(spec: BootstrapSpec): string {
  if ([spec.secret, spec.jit, spec.hostJit].filter(Boolean).length !== 1)
    throw new Error(
      'bootstrapScript: pass exactly one of spec.secret (self-registration), spec.jit (the scaler) and spec.hostJit (macOS hosts with the scaler).',
    );
  if (spec.hostJit && (spec.os !== 'macos' || spec.cloud !== 'aws'))
    throw new Error('bootstrapScript: spec.hostJit is for macOS hosts on AWS; pass spec.jit.');
  if (spec.jit && spec.jit.cloud !== spec.cloud)
    throw new Error(
      `bootstrapScript: spec.jit is for ${spec.jit.cloud}, the runner runs on ${spec.cloud}.`,
    );
  if (spec.jit && spec.os === 'macos')
    throw new Error(
      'bootstrapScript: macOS hosts ask the scaler for each runner; pass spec.hostJit (or spec.secret).',
    );
  switch (spec.os) {
    case 'ubuntu':
      return linuxBootstrap(spec);
    case 'windows':
      return windowsBootstrap(spec);
    case 'macos':
      return macosBootstrap(spec);
  }
}
