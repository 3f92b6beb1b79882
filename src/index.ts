/**
 * The runner-fleet Pulumi program (`pulumi stack select dev && pulumi up`). Its exports
 * are the stack outputs other teams read with `StackReference`; see docs/fleet.md.
 */
import { runFleet } from './fleet/program';

export = runFleet();
