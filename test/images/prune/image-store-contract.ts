import assert from 'node:assert/strict';
import type { ImageArtifact, ImageStore } from '../../../src/images/prune/image-store';

/** A cloud as the contract suite drives it: make images exist, deny a region, look. */
export interface ImageStoreWorld {
  store: ImageStore;
  /** Makes an image exist and returns its artifact (and the ids deleting it must remove). */
  seed(region: string, name: string): { artifact: ImageArtifact; parts: string[] };
  exists(artifact: ImageArtifact): boolean;
  /** From now on every call in `region` is refused as the cloud refuses it. */
  deny(region: string): void;
  /** Lifts a denial. */
  allow(region: string): void;
}

/**
 * What every image store must do, run against AWS (aws-sdk-client-mock) and GCP (a fake
 * compute client): delete an image and what it owns, say when it was already gone,
 * and fail a denied call with the cloud's error without touching other regions.
 */
export function describeImageStoreContract(
  name: string,
  world: () => ImageStoreWorld,
  regions: [string, string],
): void {
  describe(`image store contract: ${name}`, () => {
    it('deletes an image and what belongs to it', async () => {
      const w = world();
      const { artifact, parts } = w.seed(regions[0], 'one');
      const result = await w.store.delete(artifact);
      assert.equal(result.missing, false);
      for (const part of parts)
        assert.ok(
          result.deleted.some((d) => d.startsWith(part)),
          `${part} deleted`,
        );
      assert.equal(w.exists(artifact), false);
    });

    it('reports an image that is already gone, without failing', async () => {
      const w = world();
      const { artifact } = w.seed(regions[0], 'gone');
      await w.store.delete(artifact);
      const again = await w.store.delete(artifact);
      assert.deepEqual(again, { deleted: [], missing: true });
    });

    it('fails a denied call with the cloud error, and leaves that image and other regions alone', async () => {
      const w = world();
      const denied = w.seed(regions[1], 'denied').artifact;
      const fine = w.seed(regions[0], 'fine').artifact;
      w.deny(regions[1]);
      await assert.rejects(w.store.delete(denied), /denied|not authorized|permission/i);
      assert.equal(w.exists(denied), true);
      await w.store.delete(fine);
      assert.equal(w.exists(fine), false);
    });
  });
}
