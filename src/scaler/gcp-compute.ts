import { GoogleAuth } from 'google-auth-library';

/** A managed instance as `regionInstanceGroupManagers.listManagedInstances` returns it. */
export interface ManagedInstance {
  /** The instance URL, `https://www.googleapis.com/compute/v1/projects/p/zones/z/instances/name`. */
  instance: string;
  /** The numeric instance id, as text; absent while the VM is being created. */
  id?: string;
  instanceStatus?: string;
  /** NONE, CREATING, CREATING_WITHOUT_RETRIES, VERIFYING, RECREATING, DELETING, ABANDONING, RESTARTING, REFRESHING. */
  currentAction: string;
}

/**
 * The Compute Engine operations the scaler uses on a regional managed instance group,
 * with the names and shapes of the REST API v1 (`regionInstanceGroupManagers.get`,
 * `.listManagedInstances`, `.resize`, `.deleteInstances`). `RestComputeClient` calls
 * the API; tests use a fake with the same shapes.
 */
export interface ComputeClient {
  getTargetSize(project: string, region: string, group: string): Promise<number>;
  listManagedInstances(project: string, region: string, group: string): Promise<ManagedInstance[]>;
  resize(project: string, region: string, group: string, size: number): Promise<void>;
  /** Deletes the instances and lowers the group's target size by as many. */
  deleteInstances(
    project: string,
    region: string,
    group: string,
    instances: string[],
  ): Promise<void>;
}

const API = 'https://compute.googleapis.com/compute/v1';

/** `ComputeClient` over the Compute Engine REST API, with Application Default Credentials. */
export class RestComputeClient implements ComputeClient {
  private readonly auth = new GoogleAuth({
    scopes: ['https://www.googleapis.com/auth/compute'],
  });

  private url(project: string, region: string, group: string, action = ''): string {
    const base = `${API}/projects/${encodeURIComponent(project)}/regions/${encodeURIComponent(region)}`;
    return `${base}/instanceGroupManagers/${encodeURIComponent(group)}${action}`;
  }

  async getTargetSize(project: string, region: string, group: string): Promise<number> {
    const res = await this.auth.request<{ targetSize: number }>({
      url: this.url(project, region, group),
    });
    return res.data.targetSize;
  }

  async listManagedInstances(project: string, region: string, group: string) {
    const instances: ManagedInstance[] = [];
    let pageToken: string | undefined;
    do {
      const res = await this.auth.request<{
        managedInstances?: ManagedInstance[];
        nextPageToken?: string;
      }>({
        url: this.url(project, region, group, '/listManagedInstances'),
        method: 'POST',
        params: { maxResults: 500, ...(pageToken ? { pageToken } : {}) },
      });
      instances.push(...(res.data.managedInstances ?? []));
      pageToken = res.data.nextPageToken;
    } while (pageToken);
    return instances;
  }

  async resize(project: string, region: string, group: string, size: number): Promise<void> {
    await this.auth.request({
      url: this.url(project, region, group, '/resize'),
      method: 'POST',
      params: { size },
    });
  }

  async deleteInstances(project: string, region: string, group: string, instances: string[]) {
    await this.auth.request({
      url: this.url(project, region, group, '/deleteInstances'),
      method: 'POST',
      data: { instances, skipInstancesOnValidationError: true },
    });
  }
}
