import * as pulumi from '@pulumi/pulumi';
import requireFromString from 'require-from-string';

export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  parent?: string;
}

/**
 * Installs Pulumi mocks that record every registered resource. `outputs` lets a test
 * answer for a resource (by type) as a provider would; by default the state echoes the
 * inputs. Returns the live list of registrations.
 */
export function recordResources(
  outputs: (r: RegisteredResource) => Record<string, unknown> | undefined = () => undefined,
  project = 'ingot-test',
  stack = 'dev',
): RegisteredResource[] {
  const registered: RegisteredResource[] = [];
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const resource = { type: args.type, name: args.name, inputs: args.inputs };
        registered.push(resource);
        return { id: `${args.name}-id`, state: { ...args.inputs, ...outputs(resource) } };
      },
      call: (args) => args.inputs,
    },
    project,
    stack,
    false,
  );
  return registered;
}

/** Resolves an Output's value (test code only). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Loads a serialized dynamic provider the way the engine's dynamic provider host does. */
export function loadSerializedProvider(text: string): pulumi.dynamic.ResourceProvider {
  const loaded = requireFromString(text) as { handler: () => pulumi.dynamic.ResourceProvider };
  return loaded.handler();
}

/** Waits until a resource named `name` has been registered, and returns it. */
export async function registration(
  registered: RegisteredResource[],
  name: string,
): Promise<RegisteredResource> {
  for (let i = 0; i < 200; i++) {
    const found = registered.find((r) => r.name === name);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`resource ${name} was never registered`);
}
