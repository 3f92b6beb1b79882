import {
  firstKnown,
  read,
  readList,
  readString,
  UNKNOWN,
  type Known,
  type ResourceImages,
} from './image-ref';

/**
 * The AMIs an AWS resource carries, with the region each lives in.
 *
 * Region, most specific first: the resource's own `region` input (AWS provider v7),
 * its availability zone, then its provider's `region` (a default provider carries the
 * stack's `aws:region`). When none is known the lookup goes by id and platform only —
 * AMI ids are unique across regions, so that still finds the image.
 */

interface ProviderInfo {
  type: string;
  props: unknown;
}

type Extractor = (props: unknown, providerRegion: Known<string | undefined>) => ResourceImages;

/** `us-east-1a`, `us-west-2-lax-1a`, `us-gov-west-1b` → their region; zone ids (`use1-az1`) → undefined. */
export function regionOfZone(zone: Known<string | undefined>): Known<string | undefined> {
  if (zone === UNKNOWN || zone === undefined) return zone;
  return /^([a-z]{2}(?:-gov)?-[a-z]+-\d+)(?:[a-z]|-)/.exec(zone)?.[1];
}

function ami(
  props: unknown,
  key: string,
  property: string,
  region: string | undefined,
  into: ResourceImages,
): void {
  const id = readString(props, key);
  if (id === UNKNOWN) into.unknown.push(property);
  else if (id) into.images.push({ externalIdentifier: id, platform: 'aws', region, property });
}

function singleImage(
  imageKey: string,
  zone: (props: unknown) => Known<string | undefined>,
): Extractor {
  return (props, providerRegion) => {
    const found: ResourceImages = { images: [], unknown: [] };
    const region = firstKnown(
      readString(props, 'region'),
      regionOfZone(zone(props)),
      providerRegion,
    );
    ami(props, imageKey, imageKey, region, found);
    return found;
  };
}

const noZone = () => undefined;

/** A launch template's zone sits in `placement`. */
function launchTemplateZone(props: unknown): Known<string | undefined> {
  const placement = read(props, 'placement');
  return placement === UNKNOWN ? UNKNOWN : readString(placement, 'availabilityZone');
}

/** Spot fleets list AMIs per launch specification, each with its own zone. */
const spotFleetRequest: Extractor = (props, providerRegion) => {
  const found: ResourceImages = { images: [], unknown: [] };
  const specs = readList(props, 'launchSpecifications');
  if (specs === UNKNOWN) {
    found.unknown.push('launchSpecifications');
    return found;
  }
  const resourceRegion = readString(props, 'region');
  specs.forEach((spec, i) => {
    const path = `launchSpecifications[${i}]`;
    if (spec === UNKNOWN) return void found.unknown.push(path);
    const region = firstKnown(
      resourceRegion,
      regionOfZone(readString(spec, 'availabilityZone')),
      providerRegion,
    );
    ami(spec, 'ami', `${path}.ami`, region, found);
  });
  return found;
};

export const AWS_EXTRACTORS: Record<string, Extractor> = {
  'aws:ec2/instance:Instance': singleImage('ami', (p) => readString(p, 'availabilityZone')),
  'aws:ec2/spotInstanceRequest:SpotInstanceRequest': singleImage('ami', (p) =>
    readString(p, 'availabilityZone'),
  ),
  'aws:ec2/launchTemplate:LaunchTemplate': singleImage('imageId', launchTemplateZone),
  'aws:ec2/launchConfiguration:LaunchConfiguration': singleImage('imageId', noZone),
  'aws:ec2/spotFleetRequest:SpotFleetRequest': spotFleetRequest,
  // The fleet's Mac rollouts: the image an EC2 Mac instance's root volume is replaced with.
  'pulumi-nodejs:dynamic/ingot:MacRootVolume': singleImage('imageId', noZone),
};

/**
 * Types that run instances but carry no image id of their own: their launch templates
 * are checked as resources in their own right.
 */
export const AWS_WITHOUT_IMAGES: Record<string, string> = {
  'aws:ec2/fleet:Fleet':
    'an EC2 Fleet takes its images from its launch templates, which this policy checks as resources of their own',
  'aws:autoscaling/group:Group':
    'an Auto Scaling group takes its images from its launch template, which this policy checks as a resource of its own',
};

/** The images of an AWS resource, or null when the type carries none this module knows. */
export function awsImages(
  type: string,
  props: unknown,
  provider: ProviderInfo | undefined,
): ResourceImages | null {
  const extract = AWS_EXTRACTORS[type];
  if (!extract) return null;
  const providerRegion =
    provider && provider.type === 'pulumi:providers:aws'
      ? readString(provider.props, 'region')
      : undefined;
  return extract(props, providerRegion);
}
