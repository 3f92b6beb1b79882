/**
 * EC2 Mac dedicated host types: a static table, checked at config load so an instance
 * type EC2 does not offer as a Mac host fails before `pulumi up` allocates anything.
 *
 * Sources (as of December 2026):
 * - the Amazon EC2 User Guide, "Amazon EC2 Mac instances"
 *   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-mac-instances.html):
 *   mac1.metal (Intel, 2018 Mac mini), mac2.metal (M1), mac2-m2.metal (M2),
 *   mac2-m2pro.metal (M2 Pro);
 * - the EC2 API model's `InstanceType` enum as shipped in `@aws-sdk/client-ec2` 3.1169.0
 *   (the SDK this project depends on), which also lists mac2-m1ultra.metal,
 *   mac-m3ultra.metal, mac-m4.metal, mac-m4pro.metal and mac-m4max.metal.
 *
 * A type AWS adds later is refused until it is added here; a stack may trust its own
 * types instead with `ingot-fleet:macHosts.trustInstanceTypes: true`.
 */
export interface MacHostType {
  /** The Apple chip (the hardware generation the host is). */
  chip: string;
  arch: 'x64' | 'arm64';
}

export const MAC_HOST_TYPES: Readonly<Record<string, MacHostType>> = {
  'mac1.metal': { chip: 'Intel Core i7', arch: 'x64' },
  'mac2.metal': { chip: 'M1', arch: 'arm64' },
  'mac2-m1ultra.metal': { chip: 'M1 Ultra', arch: 'arm64' },
  'mac2-m2.metal': { chip: 'M2', arch: 'arm64' },
  'mac2-m2pro.metal': { chip: 'M2 Pro', arch: 'arm64' },
  'mac-m3ultra.metal': { chip: 'M3 Ultra', arch: 'arm64' },
  'mac-m4.metal': { chip: 'M4', arch: 'arm64' },
  'mac-m4pro.metal': { chip: 'M4 Pro', arch: 'arm64' },
  'mac-m4max.metal': { chip: 'M4 Max', arch: 'arm64' },
};

/** Whether EC2 offers `instanceType` as a Mac dedicated host type (per the table above). */
export function isMacHostType(instanceType: string): boolean {
  return Object.prototype.hasOwnProperty.call(MAC_HOST_TYPES, instanceType);
}

/** The Apple silicon host types, for messages. */
export function appleSiliconHostTypes(): string[] {
  return Object.entries(MAC_HOST_TYPES)
    .filter(([, t]) => t.arch === 'arm64')
    .map(([name]) => name);
}
