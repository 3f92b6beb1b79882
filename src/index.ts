/**
 * The runner-fleet Pulumi program (`pulumi stack select dev && pulumi up`): consumes the
 * registry channel of the stack's environment, never builds images (the image factory,
 * images/ project ingot-images, does). Its exports are the stack outputs other teams read
 * with `StackReference` (see docs/fleet.md). Exported as a function: Pulumi awaits it, so
 * the channel check finishes before any resource is registered. It is not an entry point of
 * the package: other programs import `ingot/providers` (package.json `exports`), which
 * runs no fleet.
 */
import { startFleet } from './fleet/program';

export = () => startFleet();
