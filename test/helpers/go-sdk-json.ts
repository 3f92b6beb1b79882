/**
 * Request bodies exactly as hashicorp/hcp-sdk-go marshals them
 * (clients/cloud-packer-service/stable/2023-01-01/models/*.go, encoding/json rules):
 * - a field with `omitempty` is left out when zero ("" / false / nil pointer / empty map);
 * - a slice without `omitempty` (artifacts, platforms) is `null` when nil;
 * - a `strfmt.DateTime` is a struct, which omitempty never drops: unset, it is
 *   "0001-01-01T00:00:00.000Z";
 * - enums are strings; fields come out in Go declaration order.
 * Go values are given as plain objects; `undefined` stands for Go's zero value / nil.
 */

type Kind = 'string' | 'bool' | 'map' | 'slice' | 'ptr' | 'datetime';

/** Field list of each body model: [json name, kind, omitempty]. */
const MODELS: Record<string, [string, Kind, boolean][]> = {
  // hashicorp_cloud_packer20230101_create_bucket_body.go
  CreateBucketBody: [
    ['description', 'string', true],
    ['labels', 'map', true],
    ['name', 'string', true],
  ],
  // hashicorp_cloud_packer20230101_update_bucket_body.go
  UpdateBucketBody: [
    ['description', 'string', true],
    ['labels', 'map', true],
    ['platforms', 'slice', false],
  ],
  // hashicorp_cloud_packer20230101_create_version_body.go
  CreateVersionBody: [
    ['fingerprint', 'string', true],
    ['template_type', 'ptr', true],
  ],
  // hashicorp_cloud_packer20230101_update_version_body.go
  UpdateVersionBody: [
    ['complete', 'bool', true],
    ['disable_rollback_channels', 'bool', true],
    ['restore', 'bool', true],
    ['revocation_message', 'string', true],
    ['revoke_at', 'datetime', true],
    ['revoke_in', 'string', true],
    ['skip_descendants_revocation', 'bool', true],
  ],
  // hashicorp_cloud_packer20230101_create_build_body.go
  CreateBuildBody: [
    ['artifacts', 'slice', false],
    ['component_type', 'string', true],
    ['labels', 'map', true],
    ['packer_run_uuid', 'string', true],
    ['parent_channel_id', 'string', true],
    ['parent_version_id', 'string', true],
    ['platform', 'string', true],
    ['source_external_identifier', 'string', true],
    ['status', 'ptr', true],
  ],
  // hashicorp_cloud_packer20230101_update_build_body.go
  UpdateBuildBody: [
    ['artifacts', 'slice', false],
    ['labels', 'map', true],
    ['metadata', 'ptr', true],
    ['packer_run_uuid', 'string', true],
    ['parent_channel_id', 'string', true],
    ['parent_version_id', 'string', true],
    ['platform', 'string', true],
    ['source_external_identifier', 'string', true],
    ['status', 'ptr', true],
  ],
  // hashicorp_cloud_packer20230101_create_channel_body.go
  CreateChannelBody: [
    ['name', 'string', true],
    ['restricted', 'bool', true],
    ['version_fingerprint', 'string', true],
  ],
  // hashicorp_cloud_packer20230101_upload_sbom_body.go (compressed_sbom: strfmt.Base64)
  UploadSbomBody: [
    ['compressed_sbom', 'string', true],
    ['format', 'ptr', true],
    ['name', 'string', true],
  ],
  // hashicorp_cloud_packer20230101_update_channel_body.go
  UpdateChannelBody: [
    ['restricted', 'bool', true],
    ['update_mask', 'string', true],
    ['version_fingerprint', 'string', true],
  ],
};

export type GoModel = keyof typeof MODELS;

/** Go's zero time as strfmt.DateTime marshals it. */
export const GO_ZERO_DATETIME = '0001-01-01T00:00:00.000Z';

function isZero(kind: Kind, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (kind === 'string') return value === '';
  if (kind === 'bool') return value === false;
  if (kind === 'map') return Object.keys(value as object).length === 0;
  if (kind === 'slice') return (value as unknown[]).length === 0;
  return false;
}

/** The JSON text the Go SDK sends for `model` with these field values. */
export function goJson(model: GoModel, values: Record<string, unknown>): string {
  const fields = MODELS[model];
  const unknown = Object.keys(values).filter((k) => !fields.some(([name]) => name === k));
  if (unknown.length) throw new Error(`${model} has no field(s) ${unknown.join(', ')}`);
  const parts: string[] = [];
  for (const [name, kind, omitempty] of fields) {
    const value = values[name];
    if (kind === 'datetime') {
      parts.push(`${JSON.stringify(name)}:${JSON.stringify(value ?? GO_ZERO_DATETIME)}`);
      continue;
    }
    if (omitempty && isZero(kind, value)) continue;
    // A nil slice (no omitempty) is null; an empty non-nil one would be [].
    const json = value === undefined ? 'null' : JSON.stringify(value);
    parts.push(`${JSON.stringify(name)}:${json}`);
  }
  return `{${parts.join(',')}}`;
}
