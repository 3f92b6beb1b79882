import fs from 'node:fs';
import { Command, Option } from 'commander';
import {
  EnforcedBlocksClient,
  type EnforcedBlock,
  type EnforcedBlockVersion,
} from '../client/enforced-blocks-client';
import { connect, withConnection, type RegistryFlags } from './connection-options';
import { EXIT, ExitError } from './exit-codes';
import { confirm, interactive } from './io';
import { details, emit, table, time } from './output';

interface ContentFlags extends RegistryFlags {
  file: string;
  blockVersion: string;
  description?: string;
}

function readContent(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new Error(
      `--file ${file}: ${(error as Error).message}; give the file holding the provisioner blocks (HCL2 or JSON).`,
    );
  }
}

/** The block's version named `label`, or its latest when none is named. */
async function pickVersion(
  client: EnforcedBlocksClient,
  block: EnforcedBlock,
  label: string | undefined,
): Promise<EnforcedBlockVersion> {
  const versions = await client.versions(block);
  const picked = label ? versions.find((v) => v.version === label || v.id === label) : versions[0];
  if (!picked) {
    const known = versions.map((v) => v.version).join(', ') || 'none';
    throw new Error(
      label
        ? `enforced block "${block.name}" has no version "${label}" (versions: ${known}).`
        : `enforced block "${block.name}" has no version; add one with \`ingot enforced-blocks add-version ${block.name} --file F --block-version v1\`.`,
    );
  }
  return picked;
}

const contentOptions = (command: Command) =>
  command
    .requiredOption('--file <file>', 'file with the provisioner blocks, HCL2 or JSON (- for stdin)')
    .requiredOption('--block-version <label>', 'version label, e.g. v1 or 1.0.0')
    .option('--description <text>', 'what this version changes');

/** `ingot enforced-blocks ls|show|create|add-version|link|unlink|for-bucket|delete`. */
export function enforcedBlocksCommand(): Command {
  const root = new Command('enforced-blocks').description(
    'Provisioner blocks Packer injects into every build of linked buckets (HCP enforced blocks).',
  );
  const blocksOf = (flags: RegistryFlags) => new EnforcedBlocksClient(connect(flags));

  withConnection(root.command('ls').description('List the project’s enforced blocks.')).action(
    async (flags: RegistryFlags) => {
      const blocks = await blocksOf(flags).list();
      emit(flags, { enforced_blocks: blocks }, () =>
        blocks.length
          ? table(
              ['block', 'latest version', 'template type', 'updated'],
              blocks.map((b) => [
                b.name,
                b.latest_version?.version,
                b.latest_version?.template_type,
                time(b.updated_at),
              ]),
            )
          : 'The project has no enforced blocks.',
      );
    },
  );

  withConnection(
    root
      .command('show')
      .argument('<block>', 'block name or id')
      .description('A block’s versions, the buckets each is enforced on, and its latest content.'),
  ).action(async (name: string, flags: RegistryFlags) => {
    const client = blocksOf(flags);
    const block = await client.find(name);
    const versions = await client.versions(block);
    const linked = await Promise.all(versions.map((v) => client.linkedBuckets(block, v)));
    const json = {
      enforced_block: block,
      versions: versions.map((v, i) => ({ ...v, linked_buckets: linked[i] })),
    };
    emit(flags, json, () =>
      [
        details([
          ['Block', block.name],
          ['Id', block.id],
          [
            'Labels',
            Object.entries(block.labels ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(', '),
          ],
        ]),
        '',
        table(
          ['version', 'template type', 'buckets', 'created', 'description'],
          versions.map((v, i) => [
            v.version,
            v.template_type,
            linked[i].join(', '),
            time(v.created_at),
            v.additional_description,
          ]),
        ),
        '',
        `Latest content (${block.latest_version?.version ?? 'none'}):`,
        block.latest_version?.block_content.trimEnd() ?? '',
      ].join('\n'),
    );
  });

  withConnection(
    contentOptions(
      root
        .command('create')
        .argument('<name>', 'block name, 3–36 of [A-Za-z0-9_-]')
        .description('Create an enforced block with its first version.'),
    ).addOption(
      new Option(
        '--template-type <type>',
        'how Packer parses the content (default: guessed)',
      ).choices(['HCL2', 'JSON']),
    ),
  ).action(async (name: string, flags: ContentFlags & { templateType?: string }) => {
    const block = await blocksOf(flags).create({
      name,
      version: flags.blockVersion,
      block_content: readContent(flags.file),
      additional_description: flags.description,
      template_type: flags.templateType,
    });
    emit(
      flags,
      { enforced_block: block },
      () =>
        `Created enforced block "${block.name}" ${flags.blockVersion}; link it to buckets with \`ingot enforced-blocks link ${block.name} <bucket>…\`.`,
    );
  });

  withConnection(
    contentOptions(
      root
        .command('add-version')
        .argument('<block>', 'block name or id')
        .description('Add a version to a block (linked buckets keep theirs until relinked).'),
    ),
  ).action(async (name: string, flags: ContentFlags) => {
    const client = blocksOf(flags);
    const version = await client.addVersion(await client.find(name), {
      version: flags.blockVersion,
      block_content: readContent(flags.file),
      additional_description: flags.description,
    });
    emit(
      flags,
      { enforced_block_version: version },
      () =>
        `Added ${version.version} to enforced block "${name}"; move buckets to it with \`ingot enforced-blocks link ${name} <bucket>… --block-version ${version.version}\`.`,
    );
  });

  withConnection(
    root
      .command('link')
      .argument('<block>', 'block name or id')
      .argument('<buckets...>', 'buckets to enforce it on')
      .option('--block-version <label>', 'version to enforce (default: the latest)')
      .description('Enforce a block version on buckets (moving them off other versions of it).'),
  ).action(
    async (name: string, buckets: string[], flags: RegistryFlags & { blockVersion?: string }) => {
      const client = blocksOf(flags);
      const block = await client.find(name);
      const version = await pickVersion(client, block, flags.blockVersion);
      const current = await client.linkedBuckets(block, version);
      const wanted = [...new Set([...current, ...buckets])];
      await client.setLinkedBuckets(block, version, wanted);
      emit(
        flags,
        { enforced_block: block, version, linked_buckets: wanted },
        () =>
          `Enforced block "${block.name}" ${version.version} now applies to ${wanted.join(', ')}.`,
      );
    },
  );

  withConnection(
    root
      .command('unlink')
      .argument('<block>', 'block name or id')
      .argument('<buckets...>', 'buckets to stop enforcing it on')
      .description('Stop enforcing a block on buckets, whichever version they have.'),
  ).action(async (name: string, buckets: string[], flags: RegistryFlags) => {
    const client = blocksOf(flags);
    const block = await client.find(name);
    const removed = new Set(buckets);
    for (const version of await client.versions(block)) {
      const current = await client.linkedBuckets(block, version);
      const kept = current.filter((b) => !removed.has(b));
      if (kept.length !== current.length) await client.setLinkedBuckets(block, version, kept);
    }
    emit(
      flags,
      { enforced_block: block, unlinked_buckets: buckets },
      () => `Enforced block "${block.name}" no longer applies to ${buckets.join(', ')}.`,
    );
  });

  withConnection(
    root
      .command('for-bucket')
      .argument('<bucket>', 'bucket name')
      .description('What Packer injects into builds of a bucket (GetEnforcedBlocksByBucket).'),
  ).action(async (bucket: string, flags: RegistryFlags) => {
    const found = await blocksOf(flags).byBucket(bucket);
    emit(flags, { enforced_block_detail: found }, () =>
      found.length
        ? table(
            ['block', 'version', 'template type'],
            found.map((d) => [d.name, d.version.version, d.version.template_type]),
          )
        : `No enforced block applies to bucket "${bucket}".`,
    );
  });

  withConnection(
    root
      .command('delete')
      .argument('<block>', 'block name or id')
      .option('--yes', 'do not ask for confirmation on a terminal')
      .description('Delete a block with its versions; it stops applying to every bucket.'),
  ).action(async (name: string, flags: RegistryFlags & { yes?: boolean }) => {
    const client = blocksOf(flags);
    const block = await client.find(name);
    if (interactive() && !flags.yes) {
      if (
        !(await confirm(`Delete enforced block "${block.name}" and stop enforcing it everywhere?`))
      ) {
        throw new ExitError(
          'nothing was deleted (not confirmed; --yes skips the question).',
          EXIT.failure,
        );
      }
    }
    await client.delete(block);
    emit(flags, { deleted: block }, () => `Deleted enforced block "${block.name}".`);
  });

  return root;
}
