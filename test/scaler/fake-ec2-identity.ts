import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ACCOUNT = '123456789012';

/**
 * Signs EC2 instance identity documents the way the instance metadata service serves
 * them (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-identity-documents.html):
 * `document` is pretty-printed JSON, `signature` its SHA256-with-RSA signature in base64
 * with line breaks, verifiable with `openssl dgst -sha256 -verify` against the signer's
 * certificate — here a self-signed one made with openssl, since AWS's key is AWS's.
 */
export class FakeEc2Identity {
  readonly certificate: string;
  private readonly key: crypto.KeyObject;

  constructor() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-iid-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '30',
          '-subj',
          '/C=US/ST=Washington State/L=Seattle/O=Test Signer',
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      this.certificate = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
      this.key = crypto.createPrivateKey(fs.readFileSync(path.join(dir, 'key.pem')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The certificate lookup a scaler is given: this signer's certificate for every region. */
  readonly certificates = (region: string): string | undefined =>
    /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? this.certificate : undefined;

  document(instanceId: string, region = 'us-west-2', accountId = ACCOUNT): string {
    return JSON.stringify(
      {
        accountId,
        architecture: 'arm64',
        availabilityZone: `${region}a`,
        billingProducts: null,
        devpayProductCodes: null,
        marketplaceProductCodes: null,
        imageId: 'ami-0123456789abcdef0',
        instanceId,
        instanceType: 'mac2.metal',
        kernelId: null,
        pendingTime: '2026-12-02T08:00:00Z',
        privateIp: '10.0.1.17',
        ramdiskId: null,
        region,
        version: '2017-09-30',
      },
      null,
      2,
    ).replace(/": /g, '" : ');
  }

  sign(document: string): string {
    const raw = crypto.sign('sha256', Buffer.from(document), this.key).toString('base64');
    return raw.replace(/(.{64})/g, '$1\n').trim();
  }

  /** What a Mac instance posts to `/jit/aws`. */
  identity(instanceId: string, region?: string, accountId?: string) {
    const document = this.document(instanceId, region, accountId);
    return { document, signature: this.sign(document) };
  }
}
