import * as pulumi from '@pulumi/pulumi';
import { loadSerializedProvider } from '../helpers/pulumi-mocks';
import { Ec2Double } from './ec2-double';

const KEYS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_EC2',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
];

/**
 * Starts an {@link Ec2Double} and points the AWS SDK of this process at it the way a
 * user would point it at another endpoint: `AWS_ENDPOINT_URL_EC2` (the SDK's
 * service-specific endpoint setting) and static credentials in the environment.
 */
export async function startEc2(): Promise<{ ec2: Ec2Double; restore: () => Promise<void> }> {
  const ec2 = new Ec2Double();
  const url = await ec2.start();
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  for (const key of KEYS) delete process.env[key];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EC2: url,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  });
  return {
    ec2,
    restore: async () => {
      for (const [key, value] of Object.entries(saved))
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      await ec2.close();
    },
  };
}

/** A provider as the engine runs it: serialized, loaded fresh, configured with `config`. */
export async function serializedProvider(
  provider: pulumi.dynamic.ResourceProvider,
  config: Record<string, string> = {},
): Promise<Required<pulumi.dynamic.ResourceProvider>> {
  const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  const loaded = loadSerializedProvider(text) as Required<pulumi.dynamic.ResourceProvider>;
  await loaded.configure({
    config: { get: (key: string) => config[key], require: (key: string) => config[key] },
  } as unknown as pulumi.dynamic.ConfigureRequest);
  return loaded;
}
