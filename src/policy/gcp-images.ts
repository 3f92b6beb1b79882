import {
  read,
  readList,
  readString,
  UNKNOWN,
  type ImageRef,
  type Known,
  type ResourceImages,
} from './image-ref';

/**
 * The images a GCP resource boots from. GCP images are global, so refs carry no
 * region. A resource may name an image in many forms; the registry stores the
 * `projects/<project>/global/images/<name>` form (see `artifactsOf` in the client), so
 * every form is brought to that one before the lookup.
 */

interface ProviderInfo {
  type: string;
  props: unknown;
}

const API_PREFIX = /^https?:\/\/(?:www|compute)\.googleapis\.com\/compute\/(?:v1|beta|alpha)\//;

/**
 * `written` as the registry would store it. Forms: a self link URL, `projects/p/global/
 * images/n`, `global/images/n`, `p/n`, `n`, and the family forms (`…/images/family/f`,
 * `family/f`). `project` (the resource's or its provider's) completes the short forms.
 */
export function gcpImageRef(
  written: string,
  project: Known<string | undefined>,
  property: string,
): Known<ImageRef> {
  const path = written.replace(API_PREFIX, '');
  const ref = (externalIdentifier: string, family = false): ImageRef => ({
    externalIdentifier,
    platform: 'gcp',
    property,
    ...(externalIdentifier !== written ? { written } : {}),
    ...(family ? { family } : {}),
  });
  // A short form in a project not known yet (preview) is as unknown as the image itself.
  const inProject = (name: string, family = false): Known<ImageRef> =>
    project === UNKNOWN
      ? UNKNOWN
      : ref(project ? `projects/${project}/global/images/${name}` : name, family);
  let m: RegExpExecArray | null;
  if ((m = /^projects\/([^/]+)\/global\/images\/family\/([^/]+)$/.exec(path)))
    return ref(`projects/${m[1]}/global/images/family/${m[2]}`, true);
  if (/^projects\/[^/]+\/global\/images\/[^/]+$/.test(path)) return ref(path);
  if ((m = /^(?:global\/images\/)?family\/([^/]+)$/.exec(path)))
    return inProject(`family/${m[1]}`, true);
  if ((m = /^global\/images\/([^/]+)$/.exec(path))) return inProject(m[1]);
  // `p/n` is "image n in project p" (the provider also accepts a family there; a family
  // is then simply not found in the registry and reported as untracked).
  if ((m = /^([^/]+)\/([^/]+)$/.exec(path))) return ref(`projects/${m[1]}/global/images/${m[2]}`);
  if (/^[^/]+$/.test(path)) return inProject(path);
  return ref(path);
}

function add(
  found: ResourceImages,
  holder: unknown,
  key: string,
  property: string,
  project: Known<string | undefined>,
): void {
  const image = readString(holder, key);
  const ref = image === UNKNOWN ? UNKNOWN : image && gcpImageRef(image, project, property);
  if (ref === UNKNOWN) found.unknown.push(property);
  else if (ref) found.images.push(ref);
}

/** `bootDisk.initializeParams.image` of an instance (absent when it boots an existing disk). */
function bootDiskImage(props: unknown, project: Known<string | undefined>): ResourceImages {
  const found: ResourceImages = { images: [], unknown: [] };
  const bootDisk = read(props, 'bootDisk');
  if (bootDisk === UNKNOWN) return { images: [], unknown: ['bootDisk'] };
  const params = read(bootDisk, 'initializeParams');
  if (params === UNKNOWN) return { images: [], unknown: ['bootDisk.initializeParams'] };
  add(found, params, 'image', 'bootDisk.initializeParams.image', project);
  return found;
}

/** `disks[i].sourceImage` of an instance template: boot and data disks alike. */
function templateDiskImages(props: unknown, project: Known<string | undefined>): ResourceImages {
  const found: ResourceImages = { images: [], unknown: [] };
  const disks = readList(props, 'disks');
  if (disks === UNKNOWN) return { images: [], unknown: ['disks'] };
  disks.forEach((disk, i) => {
    if (disk === UNKNOWN) found.unknown.push(`disks[${i}]`);
    else add(found, disk, 'sourceImage', `disks[${i}].sourceImage`, project);
  });
  return found;
}

function diskImage(props: unknown, project: Known<string | undefined>): ResourceImages {
  const found: ResourceImages = { images: [], unknown: [] };
  add(found, props, 'image', 'image', project);
  return found;
}

type Extractor = (props: unknown, project: Known<string | undefined>) => ResourceImages;

export const GCP_EXTRACTORS: Record<string, Extractor> = {
  'gcp:compute/instance:Instance': bootDiskImage,
  'gcp:compute/instanceFromTemplate:InstanceFromTemplate': bootDiskImage,
  'gcp:compute/instanceTemplate:InstanceTemplate': templateDiskImages,
  'gcp:compute/regionInstanceTemplate:RegionInstanceTemplate': templateDiskImages,
  'gcp:compute/disk:Disk': diskImage,
};

/** The images of a GCP resource, or null when the type carries none this module knows. */
export function gcpImages(
  type: string,
  props: unknown,
  provider: ProviderInfo | undefined,
): ResourceImages | null {
  const extract = GCP_EXTRACTORS[type];
  if (!extract) return null;
  // Short image names live in the resource's project, else its provider's.
  const fromProvider: Known<string | undefined> =
    provider && provider.type === 'pulumi:providers:gcp'
      ? readString(provider.props, 'project')
      : undefined;
  const own = readString(props, 'project');
  return extract(props, own === undefined ? fromProvider : own);
}
