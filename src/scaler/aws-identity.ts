import crypto from 'node:crypto';
import { identityCertificate } from './aws-identity-certificates';
import { ScalerError } from './errors';

/** The fields of an EC2 instance identity document the scaler relies on. */
export interface IdentityDocument {
  instanceId: string;
  accountId: string;
  region: string;
  instanceType?: string;
  imageId?: string;
}

/** PEM certificates by region; the default is AWS's published set. */
export type CertificateLookup = (region: string) => string | undefined;

function refuse(message: string): never {
  throw new ScalerError('UNAUTHENTICATED_INSTANCE', message);
}

/**
 * Verifies an EC2 instance identity document the way AWS documents it ("Verify the
 * instance identity document using the base64-encoded signature",
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/verify-iid.html): the signature
 * from `/latest/dynamic/instance-identity/signature` is SHA256 with RSA over the exact
 * bytes of `/latest/dynamic/instance-identity/document`, checked against the RSA public
 * certificate of the region the document names (`openssl dgst -sha256 -verify`). Only
 * then is the document parsed and trusted. Every refusal is UNAUTHENTICATED_INSTANCE.
 */
export function verifyIdentityDocument(
  document: string,
  signature: string,
  certificates: CertificateLookup = identityCertificate,
): IdentityDocument {
  if (typeof document !== 'string' || document.length === 0 || document.length > 16_384)
    refuse(
      '"document" must be the instance identity document, as the instance metadata serves it.',
    );
  const compact = typeof signature === 'string' ? signature.replace(/\s+/g, '') : '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact))
    refuse(
      '"signature" must be the base64 signature from /latest/dynamic/instance-identity/signature.',
    );
  // The region selects the certificate; the signature check below covers it.
  const claimed = /"region"\s*:\s*"([a-z0-9-]+)"/.exec(document)?.[1];
  if (!claimed) refuse('the identity document names no region.');
  const pem = certificates(claimed);
  if (!pem) refuse(`no AWS identity certificate is known for region ${claimed}.`);
  let valid = false;
  try {
    const certificate = new crypto.X509Certificate(pem);
    valid = crypto.verify(
      'sha256',
      Buffer.from(document, 'utf8'),
      certificate.publicKey,
      Buffer.from(compact, 'base64'),
    );
  } catch {
    valid = false;
  }
  if (!valid) refuse("the identity document signature does not verify against AWS's certificate.");
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(document) as Record<string, unknown>;
  } catch {
    refuse('the identity document is not JSON.');
  }
  const text = (key: string) => (typeof parsed[key] === 'string' ? (parsed[key] as string) : '');
  const identity: IdentityDocument = {
    instanceId: text('instanceId'),
    accountId: text('accountId'),
    region: text('region'),
    instanceType: text('instanceType') || undefined,
    imageId: text('imageId') || undefined,
  };
  if (!/^i-[0-9a-f]{8,17}$/.test(identity.instanceId) || !/^\d{12}$/.test(identity.accountId))
    refuse('the identity document lacks an instance id or account id.');
  if (identity.region !== claimed) refuse('the identity document names two regions.');
  return identity;
}
