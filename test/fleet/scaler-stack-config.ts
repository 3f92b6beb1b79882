import { stackFileConfig } from './stack-files';

export const SECRETS_KEY = 'ingot-fleet:scalerSecrets';
export const SCALER_IMAGE = 'us-west2-docker.pkg.dev/acme/ingot/scaler:0.1.0';

/**
 * A stack file with the scaler switched on (`aws`: the `scaler.aws` settings): runners no
 * longer read a registration secret.
 */
export function withScaler(
  stack: string,
  pem: string,
  aws: Record<string, unknown> = {},
): Record<string, string> {
  const values = stackFileConfig(stack);
  const pools = JSON.parse(values['ingot-fleet:pools']) as { cloud: string; os: string }[];
  const github = JSON.parse(values['ingot-fleet:github']);
  const hasGcp = pools.some((p) => p.cloud === 'gcp');
  // No runner registers itself: macOS hosts ask the AWS scaler too.
  delete github.registrationSecret;
  const app = (n: number) => ({
    app_id: String(1000 + n),
    installation_id: String(2000 + n),
    private_key: pem,
    webhook_secret: `whsec-${n}`,
    database_url: `postgres://scaler:pw${n}@db.internal:5432/scaler`,
  });
  return {
    ...values,
    'ingot-fleet:github': JSON.stringify(github),
    'ingot-fleet:scaler': JSON.stringify({
      aws,
      ...(hasGcp ? { gcp: { image: SCALER_IMAGE } } : {}),
      timeouts: { boot: 600 },
    }),
    [SECRETS_KEY]: JSON.stringify({ aws: app(1), ...(hasGcp ? { gcp: app(2) } : {}) }),
  };
}
