import { gcpWorld } from './cloud-worlds';
import { describeImageStoreContract } from './image-store-contract';

describeImageStoreContract('GCP (GCE images, fake compute client)', gcpWorld, [
  'acme-images',
  'acme-denied',
]);
