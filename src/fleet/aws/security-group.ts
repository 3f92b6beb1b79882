import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

/**
 * A security group that lets runners out (GitHub, package mirrors, the registration
 * secret) and nothing in: no ingress rule at all; operators use Session Manager.
 */
export function egressOnlySecurityGroup(
  name: string,
  vpcId: pulumi.Input<string>,
  tags: Record<string, string>,
  opts: pulumi.CustomResourceOptions,
): aws.ec2.SecurityGroup {
  return new aws.ec2.SecurityGroup(
    name,
    {
      description: 'Ingot runners: egress only',
      vpcId,
      ingress: [],
      egress: [
        {
          description: 'all outbound',
          protocol: '-1',
          fromPort: 0,
          toPort: 0,
          cidrBlocks: ['0.0.0.0/0'],
          ipv6CidrBlocks: ['::/0'],
        },
      ],
      revokeRulesOnDelete: true,
      tags,
    },
    opts,
  );
}
