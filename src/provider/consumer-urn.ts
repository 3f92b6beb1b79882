import * as pulumi from '@pulumi/pulumi';

/**
 * The URN a resource will have, to record it as a consumer, without depending on its
 * parent. An Output of `createUrn(name, type, parent)` carries the parent as a
 * dependency, and the SDK expands a component dependency into all of the component's
 * children — some of which wait for this very resource's outputs (a launch template
 * using the image), so its registration would wait forever.
 */
export function consumerUrn(
  name: string,
  type: string,
  parent?: pulumi.Resource,
): pulumi.Output<string> {
  const urn = pulumi.createUrn(name, type, parent);
  return pulumi.output(new Promise<string>((resolve) => urn.apply(resolve)));
}
