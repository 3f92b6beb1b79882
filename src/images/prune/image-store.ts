/**
 * One cloud's image storage, as retention sees it: delete one artifact (an AMI with its
 * snapshots, a GCE image). The AWS and GCP implementations answer to one contract
 * (test/images/prune/image-store-contract.ts runs the same suite against each).
 */
export interface ImageArtifact {
  /** Registry platform: `aws` or `gcp`. */
  platform: string;
  region: string;
  /** AMI id, or `projects/<project>/global/images/<name>`. */
  externalIdentifier: string;
}

export interface DeleteResult {
  /** What was removed, e.g. `ami-0abc (us-east-1)`, `snap-0def (us-east-1)`. */
  deleted: string[];
  /** The artifact was already gone (nothing to do). */
  missing: boolean;
}

export interface ImageStore {
  readonly platform: string;
  delete(artifact: ImageArtifact): Promise<DeleteResult>;
}
