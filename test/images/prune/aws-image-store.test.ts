import { awsWorld } from './cloud-worlds';
import { describeImageStoreContract } from './image-store-contract';

describeImageStoreContract('AWS (AMIs and snapshots, aws-sdk-client-mock)', awsWorld, [
  'us-east-1',
  'eu-west-1',
]);
