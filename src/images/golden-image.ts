import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import path from 'node:path';
import { ChannelAssignment } from '../provider/channel-assignment';
import { ChannelImages } from '../provider/channel-images';
import { PublishedVersion } from '../provider/published-version';
import { RegistryImage } from '../provider/registry-image';
import type { RegistryConnectionArgs } from '../provider/registry-connection';
import {
  contentHash,
  digestFiles,
  versionFingerprint,
  type TemplateVariable,
} from './content-hash';
import { goldenImageSettings } from './golden-image-settings';
import { ingotCli, integrationTestCommand, type IntegrationTestArgs } from './integration-test';
import {
  manifestFromOutput,
  packerBuildCommand,
  shellQuote,
  unchangedCommand,
} from './packer-command';

/** A template variable that receives one of the parent's artifacts. */
export interface ParentImageVariable {
  /** Template variable, e.g. `source_ami_x64`. */
  variable: string;
  /** Registry platform (`aws`, `gcp`, `file`), region and component type of the artifact. */
  platform: string;
  region: string;
  componentType?: string;
}

/**
 * The image a template builds on: a bucket's channel, read when `after` is done. Either
 * its artifacts become variables (`images`: the local template), or the template reads
 * them itself with Packer's HCP Packer data sources and gets the bucket and channel as
 * variables (`bucketVariable`, `channelVariable`: the cloud templates). Either way the
 * parent's current fingerprint is hashed, so a new parent rebuilds the child.
 */
export interface GoldenImageParent {
  bucket: string;
  channel: string;
  /** Parent artifacts passed as variables. @default [] */
  images?: ParentImageVariable[];
  /** Template variable that receives the parent's bucket, e.g. `parent_bucket`. @default none */
  bucketVariable?: string;
  /** Template variable that receives the parent's channel, e.g. `parent_channel`. @default none */
  channelVariable?: string;
  /** Resources to wait for before reading the channel (the parent's GoldenImage). @default [] */
  after?: pulumi.Resource[];
}

/** Arguments of {@link GoldenImage}. Relative paths are resolved against `root`. */
export interface GoldenImageArgs {
  /** Directory of the Packer HCL2 template (its `*.pkr.hcl` files), e.g. `packer/runner-ubuntu`. */
  templateDir: string;
  /** Sources to build (`-only`), as `type.name`, e.g. `amazon-ebs.runner-x64`; every one must be in the manifest or nothing is published. */
  sources: string[];
  /** Registry bucket. @default the component name */
  bucket?: string;
  /** Bucket description in the registry. @default none */
  description?: string;
  /** Files outside `templateDir` the build reads (shared provisioning scripts), hashed with the template. @default [] */
  scripts?: string[];
  /**
   * Template variables, passed as `-var` and hashed: changing one rebuilds. Not for
   * secrets (they would be in the command text); pass those as `PKR_VAR_<name>` in
   * `environment`. The pipeline itself fills in `bucket`, `fingerprint`, `git_commit`,
   * `manifest_path` and `output_dir` when the template declares them. @default {}
   */
  variables?: Record<string, pulumi.Input<TemplateVariable>>;
  /** The parent image, whose artifacts become variables and whose version becomes the ancestry. @default none */
  parent?: GoldenImageParent;
  /** Channel assigned once the version is published and its test passed. @default "dev" */
  channel?: string;
  /** Test of the new version before the channel moves. @default none: assigned right after publishing */
  integrationTest?: IntegrationTestArgs;
  /**
   * Environment of `packer build` for credentials the environment of `pulumi up` does
   * not already hold (e.g. from secret config). Kept as a Pulumi secret: encrypted in the
   * state, masked in previews. Not hashed: rotating credentials does not rebuild. @default none
   */
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Commit recorded in the `git_commit` label and variable (not hashed: it never rebuilds). @default the checkout's commit (`+dirty` with local changes to the template) */
  commit?: string;
  /** Manifests, build logs and local artifacts go to `<workDir>/<bucket>/<fingerprint>/`. @default ".ingot/images" */
  workDir?: string;
  /** Directory relative paths are resolved against (the repository root). @default the working directory */
  root?: string;
  /** Packer executable. @default "packer" */
  packer?: string;
  /** Run `packer init` first. @default whether the template declares required_plugins */
  init?: boolean;
  /** Let the template's `hcp_packer_registry` block publish natively too (`HCP_PACKER_REGISTRY=on`). @default false */
  hcpPackerRegistry?: boolean;
  /** Registry location. @default from the environment / stack config */
  registry?: RegistryConnectionArgs;
}

/**
 * One Packer template as Pulumi resources: `packer init` + `packer build` by
 * `command.local.Command` (re-run only when the template's content hash changes), the
 * manifest published as a registry version (`PublishedVersion`, fingerprint = content
 * hash, with the parent's ancestry), an optional integration test on the new
 * version, then the first channel assigned (`ChannelAssignment`). A failed build, a
 * partial manifest or a failed test stops everything after it.
 */
export class GoldenImage extends pulumi.ComponentResource {
  readonly bucket: string;
  readonly channel: string;
  /** Content hash of template, scripts, variables and sources: the build's trigger. */
  readonly contentHash: pulumi.Output<string>;
  /** The version fingerprint, known before the build: the content hash. */
  readonly fingerprint: pulumi.Output<string>;
  readonly versionName: pulumi.Output<string>;
  readonly versionId: pulumi.Output<string>;
  /** `platform/region/componentType` → image id of the published version (every architecture). */
  readonly images: pulumi.Output<Record<string, string>>;
  readonly assignedFingerprint: pulumi.Output<string>;
  readonly build: command.local.Command;
  readonly version: PublishedVersion;
  readonly integrationTest?: command.local.Command;
  readonly assignment: ChannelAssignment;

  constructor(name: string, args: GoldenImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ingot:images:GoldenImage', name, {}, opts);
    const s = goldenImageSettings(name, args);
    this.bucket = s.bucket;
    this.channel = s.channel;
    const files = digestFiles(s.root, [s.relativeTemplateDir, ...s.scripts]);

    const parentVariables: Record<string, pulumi.Input<string>> = {};
    let parentFingerprint: pulumi.Output<string> | undefined;
    if (s.parent) {
      // Read the channel once the parent's own pipeline has assigned it: while the
      // parent is (re)built, even in a preview, the channel input stays unknown, so the
      // lookup does not run against a channel that is about to move (or not exist yet).
      const after = s.parent.after ?? [];
      const ready = after.map((r) => (r instanceof GoldenImage ? r.assignedFingerprint : r.urn));
      const images = new ChannelImages(
        `${name}-parent-images`,
        {
          bucket: s.parent.bucket,
          channel: pulumi.all([s.parent.channel, ...ready]).apply(([channel]) => channel),
          registry: s.registry,
        },
        { parent: this, dependsOn: after },
      );
      parentFingerprint = images.versionFingerprint;
      for (const p of s.parent.images ?? [])
        parentVariables[p.variable] = images.image({
          platform: p.platform,
          region: p.region,
          componentType: p.componentType,
        });
      if (s.parent.bucketVariable) parentVariables[s.parent.bucketVariable] = s.parent.bucket;
      if (s.parent.channelVariable) parentVariables[s.parent.channelVariable] = s.parent.channel;
    }
    const variables = pulumi
      .all({ ...s.variables, ...parentVariables })
      .apply((v) => ({ ...(v as Record<string, TemplateVariable>) }));
    this.contentHash = pulumi.all([variables, parentFingerprint ?? '']).apply(([v, parentFp]) =>
      contentHash({
        files,
        variables: {
          ...v,
          ...(parentFp ? { parent_fingerprint: parentFp } : {}),
        },
        sources: [...s.sources, `bucket:${s.bucket}`],
      }),
    );
    const fingerprint = this.contentHash.apply((h) => versionFingerprint(h));
    const outputDir = fingerprint.apply((fp) => path.join(s.workDir, s.bucket, fp));
    const manifestPath = outputDir.apply((dir) => path.join(dir, 'packer-manifest.json'));

    // Image names carry a suffix drawn once per stack and kept in its state: two stacks
    // (or a stack that lost its state) building the same fingerprint never collide, so
    // no build has to deregister an image of that name that the registry may serve.
    const suffix = s.declared.has('name_suffix')
      ? new random.RandomId(
          `${name}-name-suffix`,
          { byteLength: 4, keepers: { bucket: s.bucket } },
          { parent: this },
        ).hex
      : pulumi.output('');
    const create = pulumi
      .all([variables, fingerprint, outputDir, suffix])
      .apply(([v, fp, dir, sfx]) => {
        const supplied: Record<string, TemplateVariable> = {
          bucket: s.bucket,
          fingerprint: fp,
          git_commit: s.commit,
          manifest_path: path.join(dir, 'packer-manifest.json'),
          output_dir: dir,
          name_suffix: sfx,
        };
        const pipeline = Object.fromEntries(
          Object.entries(supplied).filter(([k]) => s.declared.has(k)),
        );
        return packerBuildCommand({
          templateDir: s.templateDir,
          outputDir: dir,
          sources: s.sources,
          variables: { ...v, ...pipeline },
          init: s.init,
          logFilter: s.logFilter,
          packer: s.packer,
          hcpPackerRegistry: s.hcpPackerRegistry,
          fingerprint: fp,
        });
      });
    this.build = new command.local.Command(
      `${name}-build`,
      {
        create,
        // Only the trigger (the content hash) rebuilds; other inputs (credentials,
        // checkout paths) changing runs this instead of a new build, which prints the
        // previous build's manifest again (PULUMI_COMMAND_STDOUT).
        update: this.contentHash.apply((h) => unchangedCommand(s.bucket, h)),
        triggers: [this.contentHash],
        interpreter: ['/bin/bash', '-c'],
        environment: s.environment ? pulumi.secret(s.environment) : undefined,
        addPreviousOutputInEnv: true,
      },
      { parent: this, replaceOnChanges: ['triggers'] },
    );

    this.version = new PublishedVersion(
      `${name}-version`,
      {
        bucket: s.bucket,
        fingerprint,
        // The manifest as the build step printed it, kept in the state with its output:
        // a rerun on a fresh machine publishes it without the local file.
        manifest: pulumi.all([this.build.stdout, manifestPath]).apply(([stdout, file]) => {
          const text = manifestFromOutput(stdout);
          if (!text)
            throw new Error(
              `the build of ${s.bucket} printed no manifest (expected after "::ingot-manifest::"; it was written to ${file}); rebuild it with \`pulumi up --replace\` on its build command.`,
            );
          return text;
        }),
        bucketDescription: s.description,
        buildLabels: this.contentHash.apply((h) => ({
          content_hash: h.slice(0, 24),
          git_commit: s.commit,
        })),
        parent: s.parent ? { bucket: s.parent.bucket, channel: s.parent.channel } : undefined,
        expectBuilds: s.sources,
        registry: s.registry,
      },
      { parent: this, dependsOn: [this.build] },
    );

    let gate: pulumi.Resource = this.version;
    if (s.integrationTest) {
      const t = s.integrationTest;
      // The fingerprint is known before publishing; gate it on the version's id, which
      // is not, so that a preview does not look up a version that does not exist yet.
      const published = pulumi
        .all([this.version.fingerprint, this.version.versionId])
        .apply(([fp]) => fp);
      const targets = t.componentTypes.map((componentType) => ({
        componentType,
        image: new RegistryImage(
          `${name}-test-image-${componentType.replace(/[^A-Za-z0-9-]/g, '-')}`,
          {
            bucket: s.bucket,
            versionFingerprint: published,
            platform: t.platform,
            region: t.region,
            componentType,
            registry: s.registry,
          },
          { parent: this },
        ).externalIdentifier,
      }));
      const testCommand = pulumi
        .all([pulumi.all(targets.map((x) => x.image)), this.version.fingerprint])
        .apply(([images, fp]) =>
          integrationTestCommand({
            script: t.script,
            mode: t.mode,
            smoke: t.smoke,
            targets: targets.map((x, i) => ({ componentType: x.componentType, image: images[i] })),
            region: t.region,
            bucket: s.bucket,
            fingerprint: fp,
            runner: t.runner,
            args: t.args,
            cli: ingotCli(s.packageRoot),
          }),
        );
      this.integrationTest = new command.local.Command(
        `${name}-integration-test`,
        {
          create: testCommand,
          update: this.version.fingerprint.apply(
            (fp) => `echo ${shellQuote(`ingot: ${s.bucket} ${fp} already passed its test.`)}\n`,
          ),
          triggers: [this.version.fingerprint],
          interpreter: ['/bin/bash', '-c'],
          environment: t.environment ? pulumi.secret(t.environment) : undefined,
          addPreviousOutputInEnv: false,
        },
        { parent: this, replaceOnChanges: ['triggers'] },
      );
      gate = this.integrationTest;
    }

    this.assignment = new ChannelAssignment(
      `${name}-${s.channel}`,
      {
        bucket: s.bucket,
        channel: s.channel,
        versionFingerprint: this.version.fingerprint,
        registry: s.registry,
      },
      { parent: this, dependsOn: [gate] },
    );

    this.fingerprint = fingerprint;
    this.versionName = this.version.versionName;
    this.versionId = this.version.versionId;
    this.images = this.version.images;
    this.assignedFingerprint = this.assignment.assignedFingerprint;
    this.registerOutputs({
      bucket: this.bucket,
      channel: this.channel,
      contentHash: this.contentHash,
      fingerprint: this.fingerprint,
      versionName: this.versionName,
      images: this.images,
      assignedFingerprint: this.assignedFingerprint,
    });
  }
}
