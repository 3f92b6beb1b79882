/**
 * The image factory's Pulumi program (`pulumi up -C images -s dev`): builds, tests,
 * publishes and assigns the stack's channel. Its exports are what the fleet reads through
 * a StackReference (see docs/images.md).
 */
import { runImageFactory } from '../src/images/factory-program';

export = runImageFactory();
