import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { syntaxCheck } from './packer-syntax';
import { readTemplate } from '../../src/images/packer-command';
import { parseImagePipelineConfig } from '../../src/images/pipeline-config';
import { LOCAL_ARCH, TEMPLATES } from '../../src/images/template-catalog';

/**
 * The templates under packer/, parsed with an HCL2 parser from npm (@cdktf/hcl2json):
 * modern templates need Packer >= 1.7 and plugins, which this machine cannot run, so
 * they are checked statically; packer/local is also validated and formatted-checked by
 * Debian's packer 1.6.6. The catalog in src/images must agree with what they declare.
 */
const ROOT = path.resolve(__dirname, '../..');
const MODERN = ['ubuntu-base', 'runner-ubuntu', 'runner-windows', 'runner-macos'];
const DIRS = [...MODERN, 'local'];

type Json = Record<string, any>;
interface Template {
  dir: string;
  variables: Record<string, Json>;
  sources: Record<string, Json>;
  builds: Json[];
  packer: Json[];
  locals: Json;
}

async function load(dir: string): Promise<Template> {
  const t: Template = { dir, variables: {}, sources: {}, builds: [], packer: [], locals: {} };
  for (const file of fs
    .readdirSync(path.join(ROOT, 'packer', dir))
    .filter((f) => f.endsWith('.pkr.hcl'))) {
    const json = (await parse(
      file,
      fs.readFileSync(path.join(ROOT, 'packer', dir, file), 'utf8'),
    )) as Json;
    for (const [name, [body]] of Object.entries<Json[]>(json.variable ?? {}))
      t.variables[name] = body;
    for (const [type, byName] of Object.entries<Json>(json.source ?? {}))
      for (const [name, [body]] of Object.entries<Json[]>(byName))
        t.sources[`${type}.${name}`] = body;
    t.builds.push(...(json.build ?? []));
    t.packer.push(...(json.packer ?? []));
    for (const locals of json.locals ?? []) Object.assign(t.locals, locals);
  }
  return t;
}

/** The manifest post-processors of a build, alone or in a post-processors chain. */
function manifests(build: Json): Json[] {
  const direct = build['post-processor']?.manifest ?? [];
  const chained = (build['post-processors'] ?? []).flatMap(
    (c: Json) => c['post-processor']?.manifest ?? [],
  );
  return [...direct, ...chained];
}

/** Files a template's provisioners and locals read, resolved to paths under the repository. */
function referencedFiles(t: Template): string[] {
  const dir = path.join(ROOT, 'packer', t.dir);
  const resolve = (text: string) =>
    path.normalize(
      text.replace('${local.scripts}', String(t.locals.scripts ?? '')).replace('${path.root}', dir),
    );
  const found: string[] = [];
  for (const build of t.builds)
    for (const blocks of Object.values<Json[]>(build.provisioner ?? {}))
      for (const block of blocks) {
        if (typeof block.script === 'string') found.push(resolve(block.script));
        for (const script of block.scripts ?? []) found.push(resolve(script));
      }
  for (const value of Object.values(t.locals))
    for (const match of JSON.stringify(value).matchAll(/file\(\\"([^\\]+)\\"\)/g))
      found.push(resolve(match[1]));
  return [...new Set(found.map((f) => path.relative(ROOT, f)))].sort();
}

describe('Packer templates (HCL2, parsed)', () => {
  const templates: Record<string, Template> = {};
  before(async () => {
    for (const dir of DIRS) templates[dir] = await load(dir);
  });

  it('parses every template file', () => {
    for (const dir of DIRS) {
      assert.ok(Object.keys(templates[dir].variables).length > 5, dir);
      assert.ok(templates[dir].builds.length > 0, `${dir} has a build`);
    }
  });

  it('types and describes every variable, validates where it fits, declares the pipeline variables', () => {
    for (const dir of DIRS) {
      const t = templates[dir];
      for (const [name, body] of Object.entries(t.variables)) {
        assert.match(String(body.type ?? ''), /^\$\{.+\}$/, `${dir}: variable ${name} has a type`);
        assert.ok(
          String(body.description ?? '').length >= 10,
          `${dir}: variable ${name} is described`,
        );
      }
      for (const name of ['bucket', 'fingerprint', 'git_commit', 'build_epoch', 'manifest_path'])
        assert.ok(t.variables[name], `${dir} declares ${name}`);
      const validated = Object.values(t.variables).filter((v) => v.validation).length;
      assert.ok(validated >= 3, `${dir} validates some variables (${validated})`);
    }
    assert.ok(templates.local.variables.output_dir);
  });

  it('uses every source in a build, builds only declared sources', () => {
    for (const dir of DIRS) {
      const t = templates[dir];
      const used = t.builds
        .flatMap((b) => b.sources as string[])
        .map((s) => s.replace(/^source\./, ''));
      assert.deepEqual([...new Set(used)].sort(), Object.keys(t.sources).sort(), dir);
    }
  });

  it('ends every build with a manifest post-processor carrying bucket and fingerprint', () => {
    for (const dir of DIRS)
      for (const build of templates[dir].builds) {
        const [manifest] = manifests(build);
        assert.ok(manifest, `${dir}: a manifest post-processor`);
        assert.equal(manifest.output, '${var.manifest_path}');
        assert.equal(manifest.custom_data.bucket, '${var.bucket}');
        assert.equal(manifest.custom_data.fingerprint, '${var.fingerprint}');
        assert.equal(manifest.custom_data.git_commit, '${var.git_commit}');
        assert.ok(manifest.custom_data.runner_version && manifest.custom_data.os_version, dir);
      }
  });

  it('pins plugins and supports HCP Packer natively in modern templates; local needs none', () => {
    for (const dir of MODERN) {
      const [packer] = templates[dir].packer;
      assert.match(packer.required_version, />= 1\.\d+/);
      for (const [name, plugin] of Object.entries<Json>(packer.required_plugins[0])) {
        assert.match(plugin.version, /^\d+\.\d+\.\d+$/, `${dir}: ${name} pinned to one version`);
        assert.equal(plugin.source, `github.com/hashicorp/${name}`);
      }
      for (const build of templates[dir].builds)
        assert.equal(build.hcp_packer_registry?.[0]?.bucket_name, '${var.bucket}', dir);
    }
    assert.equal(templates.local.packer[0].required_plugins, undefined);
    assert.equal(templates.local.builds[0].hcp_packer_registry, undefined);
  });

  it('builds what the issue asks per OS', () => {
    const ubuntu = templates['runner-ubuntu'].sources;
    for (const arch of ['x64', 'arm64']) {
      assert.equal(ubuntu[`amazon-ebs.runner-${arch}`].ami_regions, '${local.aws_copy_regions}');
      // The parent comes from Packer's own HCP Packer data sources (as HashiCorp's docs
      // do), so Packer records parent_version_id/parent_channel_id itself.
      assert.equal(
        ubuntu[`amazon-ebs.runner-${arch}`].source_ami,
        `\${data.hcp-packer-artifact.parent-${arch}.external_identifier}`,
      );
    }
    assert.equal(
      ubuntu['googlecompute.runner'].source_image,
      '${data.hcp-packer-artifact.parent-gce.external_identifier}',
    );
    for (const source of Object.values(templates['runner-windows'].sources)) {
      assert.equal(source.communicator, 'winrm');
      assert.equal(source.winrm_use_ssl, true);
    }
    const [placement] = templates['runner-macos'].sources['amazon-ebs.runner-arm64'].placement;
    assert.equal(placement.tenancy, 'host');
    assert.ok(placement.host_id && placement.host_resource_group_arn);
    for (const dir of ['runner-ubuntu', 'runner-windows', 'local'])
      for (const [name, v] of Object.entries(templates[dir].variables).filter(([n]) =>
        n.startsWith('runner_sha256'),
      ))
        assert.match(v.default, /^[0-9a-f]{64}$/, `${dir}: ${name} pins a checksum`);
    // No checksum of v2.330.0's macOS package is known here: the variable is required
    // (packer refuses to start without it) until images:bump-runner sets it.
    assert.equal(templates['runner-macos'].variables.runner_sha256_arm64.default, undefined);
    assert.deepEqual(
      templates['runner-windows'].variables.os_version.validation[0].condition,
      '${contains(["2022", "2025"], var.os_version)}',
      'Windows Server 2019 (EC2Launch v1) is refused',
    );
  });

  it('reads the parent with hcp-packer-version / hcp-packer-artifact (hashicorp/packer datasource/)', async () => {
    const json = (await parse(
      'runner-ubuntu.pkr.hcl',
      fs.readFileSync(path.join(ROOT, 'packer/runner-ubuntu/runner-ubuntu.pkr.hcl'), 'utf8'),
    )) as Json;
    const [version] = json.data['hcp-packer-version'].parent;
    assert.deepEqual(
      [version.bucket_name, version.channel_name],
      ['${var.parent_bucket}', '${var.parent_channel}'],
    );
    for (const [name, [artifact]] of Object.entries<Json[]>(json.data['hcp-packer-artifact'])) {
      // datasource/hcp-packer-artifact/data.go requires bucket_name, platform, region and
      // one of version_fingerprint / channel_name.
      assert.equal(artifact.bucket_name, '${var.parent_bucket}', name);
      assert.equal(
        artifact.version_fingerprint,
        '${data.hcp-packer-version.parent.fingerprint}',
        name,
      );
      assert.ok(artifact.platform && artifact.region && artifact.component_type, name);
    }
    // googlecompute publishes its images as platform "gce" in the build zone
    // (packer-plugin-googlecompute builder/googlecompute/artifact.go).
    assert.match(json.data['hcp-packer-artifact']['parent-gce'][0].platform, /"gce"/);
  });

  it('encrypts, shares and tags AMIs, names them per stack, never force-deregisters', () => {
    for (const dir of MODERN)
      for (const [name, source] of Object.entries(templates[dir].sources).filter(([n]) =>
        n.startsWith('amazon-ebs.'),
      )) {
        assert.equal(source.encrypt_boot, true, `${dir} ${name}`);
        assert.equal(source.ami_users, '${var.aws_ami_users}');
        assert.equal(source.ami_org_arns, '${var.aws_ami_org_arns}');
        assert.equal(source.snapshot_users, '${var.aws_ami_users}');
        assert.ok(source.snapshot_tags, `${dir} ${name} tags its snapshots`);
        assert.equal(source.force_deregister, undefined, `${dir} ${name}`);
        assert.equal(source.force_delete_snapshot, undefined);
        assert.match(String(templates[dir].locals.name), /var\.name_suffix/);
      }
  });

  it('agrees with the catalog in src/images: sources, scripts, variables', () => {
    const config = parseImagePipelineConfig(
      {
        aws: {
          regions: ['us-east-1', 'eu-west-1'],
          subnetId: 'subnet-1',
          instanceTypes: { x64: 'm7i.large', arm64: 'm7g.large', windows: 'm7i.xlarge' },
          mac: { hostId: 'h-0123456789abcdef0', instanceType: 'mac2-m2.metal' },
        },
        gcp: { projectId: 'acme-images', zone: 'europe-west1-b', subnetwork: 'images' },
      },
      'dev',
      { github: { organization: 'acme', registrationSecret: { aws: 'ingot/dev/app' } } },
    );
    for (const spec of Object.values(TEMPLATES)) {
      const t = templates[path.basename(spec.dir)];
      // The local builder builds the host's architecture of the two it declares.
      const declared = Object.keys(t.sources).sort();
      if (spec.dir === 'packer/local')
        assert.deepEqual(
          spec.sources.map((s) => s.name),
          [`file.${LOCAL_ARCH}`],
          spec.name,
        );
      else assert.deepEqual(spec.sources.map((s) => s.name).sort(), declared, spec.name);
      const outside = referencedFiles(t).filter((f) => !f.startsWith(`${spec.dir}/`));
      // The local template reads its scripts from var.scripts: its counterpart's list.
      if (spec.dir !== 'packer/local')
        assert.deepEqual(
          outside,
          [...spec.scripts].sort(),
          `${spec.name}: hashed scripts = scripts it reads`,
        );
      for (const f of referencedFiles(t))
        assert.ok(fs.existsSync(path.join(ROOT, f)), `${f} exists`);
      for (const name of Object.keys(spec.variables(config)))
        assert.ok(
          t.variables[name],
          `${spec.name}: the catalog sets ${name}, which the template declares`,
        );
      for (const p of spec.parentImages ?? [])
        assert.ok(t.variables[p.variable], `${spec.name}: ${p.variable}`);
      for (const v of Object.values(spec.parentVariables ?? {}))
        assert.ok(t.variables[v], `${spec.name}: ${v}`);
      const regex = readTemplate(path.join(ROOT, spec.dir));
      assert.deepEqual(
        [...regex.variables].sort(),
        Object.keys(t.variables).sort(),
        `${spec.name}: readTemplate variables`,
      );
      assert.deepEqual(
        [...regex.sources].sort(),
        Object.keys(t.sources).sort(),
        `${spec.name}: readTemplate sources`,
      );
      assert.equal(
        regex.requiresPlugins,
        t.packer.some((p) => p.required_plugins),
        spec.name,
      );
    }
  });

  it('is formatted as `packer fmt` wants', () => {
    for (const dir of DIRS) {
      const result = spawnSync('packer', ['fmt', '-check', '-diff', dir], {
        cwd: path.join(ROOT, 'packer'),
        encoding: 'utf8',
      });
      assert.equal(result.error, undefined, 'packer is installed by scripts/ensure-packer.sh');
      assert.equal(result.status, 0, `${dir}:\n${result.stdout}${result.stderr}`);
    }
  });

  it('every modern template passes Debian packer 1.6.6 validate -syntax-only (cut copy)', () => {
    for (const dir of MODERN) {
      const { status, output } = syntaxCheck(path.join(ROOT, 'packer', dir));
      assert.equal(status, 0, `${dir}:\n${output}`);
    }
    // The check is not a formality: the lowercase error message runner-macos shipped with
    // is refused by it (and by every packer), while the npm HCL parser accepts it.
    const broken = syntaxCheck(path.join(ROOT, 'packer/runner-macos'), (file, text) =>
      file === 'variables.pkr.hcl'
        ? text.replace(
            /error_message = "The disk_size_gb must be[^"]*"/,
            'error_message = "macOS images need at least 100 GiB."',
          )
        : text,
    );
    assert.notEqual(broken.status, 0);
    assert.match(broken.output, /Invalid validation error message/);
  });

  it('packer/local validates with the real packer', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-validate-'));
    try {
      const result = spawnSync(
        'packer',
        [
          'validate',
          '-var',
          'fingerprint=abc',
          '-var',
          'bucket=local-base',
          '-var',
          `manifest_path=${out}/m.json`,
          '-var',
          `output_dir=${out}`,
          '-var',
          'scripts=["packer/scripts/linux/patch.sh"]',
          '.',
        ],
        { cwd: path.join(ROOT, 'packer/local'), encoding: 'utf8' },
      );
      assert.equal(result.status, 0, result.stdout + result.stderr);
      const bad = spawnSync(
        'packer',
        [
          'validate',
          '-var',
          'fingerprint=abc',
          '-var',
          'bucket=local-base',
          '-var',
          'layer=middle',
          '-var',
          `manifest_path=${out}/m.json`,
          '-var',
          `output_dir=${out}`,
          '-var',
          'scripts=["packer/scripts/linux/patch.sh"]',
          '.',
        ],
        {
          cwd: path.join(ROOT, 'packer/local'),
          encoding: 'utf8',
        },
      );
      assert.notEqual(bad.status, 0);
      assert.match(bad.stdout + bad.stderr, /The layer must be base or runner/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
