import type { RegisteredResource } from '../../helpers/pulumi-mocks';

/**
 * Waits until a resource named `name` has been registered. Like `registration` in
 * test/helpers/pulumi-mocks.ts, with a longer limit: serializing a dynamic provider takes
 * a while, and a component registers several in a chain.
 */
export async function waitForRegistration(
  list: RegisteredResource[],
  name: string,
  limit = 30_000,
): Promise<RegisteredResource> {
  for (let waited = 0; waited < limit; waited += 10) {
    const found = list.find((r) => r.name === name);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`resource ${name} was never registered`);
}
