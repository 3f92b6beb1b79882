import { GlobalOperationsClient, ImagesClient } from '@google-cloud/compute';
import type { DeleteResult, ImageArtifact, ImageStore } from './image-store';

/** What retention uses of @google-cloud/compute's ImagesClient and GlobalOperationsClient. */
export interface ComputeImages {
  delete(request: { project: string; image: string }): Promise<unknown[]>;
}
export interface ComputeOperations {
  wait(request: { project: string; operation: string }): Promise<unknown[]>;
}

interface Operation {
  name?: string | null;
  status?: string | number | null;
  error?: { errors?: { message?: string | null }[] | null } | null;
}

const IMAGE = /^projects\/([^/]+)\/global\/images\/([^/]+)$/;

/**
 * GCE images through @google-cloud/compute: Images.delete, then the global operation is
 * waited for until DONE (the client library's documented pattern), failing with the
 * operation's error. Credentials from Application Default Credentials.
 */
export class GcpImageStore implements ImageStore {
  readonly platform = 'gcp';

  constructor(
    private readonly images: ComputeImages = new ImagesClient(),
    private readonly operations: ComputeOperations = new GlobalOperationsClient(),
  ) {}

  async delete(artifact: ImageArtifact): Promise<DeleteResult> {
    const match = IMAGE.exec(artifact.externalIdentifier);
    if (!match)
      throw new Error(
        `GCP artifact "${artifact.externalIdentifier}" is not projects/<project>/global/images/<name>; it was not published by the image pipeline.`,
      );
    const [, project, image] = match;
    let operation: Operation | undefined;
    try {
      const [response] = (await this.images.delete({ project, image })) as [
        { latestResponse?: Operation } & Operation,
      ];
      operation = response?.latestResponse ?? response;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return { deleted: [], missing: true };
      throw error;
    }
    while (operation?.name && operation.status !== 'DONE' && operation.status !== 2104194) {
      [operation] = (await this.operations.wait({ project, operation: operation.name })) as [
        Operation,
      ];
    }
    const failure = operation?.error?.errors?.map((e) => e.message).join('; ');
    if (failure) throw new Error(`deleting ${artifact.externalIdentifier} failed: ${failure}`);
    return { deleted: [artifact.externalIdentifier], missing: false };
  }
}
