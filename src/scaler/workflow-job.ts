import { isObject } from '../config/problems';
import { ScalerError } from './errors';

/**
 * The part of a `workflow_job` webhook payload the scaler reads. Shape as in GitHub's
 * webhook docs ("workflow_job" in webhook-events-and-payloads) and octokit/webhooks'
 * payload examples (payload-examples/api.github.com/workflow_job/*.payload.json).
 */
export interface WorkflowJobEvent {
  action: string;
  jobId: string;
  labels: string[];
  /** The runner that took the job (`in_progress`, `completed`); null while queued or when cancelled before it started. */
  runnerName: string | null;
  conclusion: string | null;
  /** `installation.id` (App webhooks), as text. */
  installationId?: string;
  /** `repository.owner.login` (organization webhooks and App webhooks alike). */
  owner?: string;
  repository?: string;
}

/** Reads a parsed payload, or throws BAD_REQUEST naming the missing field. */
export function readWorkflowJob(payload: unknown): WorkflowJobEvent {
  const bad = (what: string) =>
    new ScalerError('BAD_REQUEST', `not a workflow_job payload: ${what}.`);
  if (!isObject(payload)) throw bad('the body is not a JSON object');
  if (typeof payload.action !== 'string') throw bad('"action" is missing');
  const job = payload.workflow_job;
  if (!isObject(job)) throw bad('"workflow_job" is missing');
  if (typeof job.id !== 'number' && typeof job.id !== 'string')
    throw bad('"workflow_job.id" is missing');
  if (!Array.isArray(job.labels) || job.labels.some((l) => typeof l !== 'string'))
    throw bad('"workflow_job.labels" must be a list of strings');
  const installation = isObject(payload.installation) ? payload.installation : undefined;
  const repository = isObject(payload.repository) ? payload.repository : undefined;
  const owner = repository && isObject(repository.owner) ? repository.owner : undefined;
  return {
    action: payload.action,
    jobId: String(job.id),
    labels: job.labels as string[],
    runnerName: typeof job.runner_name === 'string' && job.runner_name ? job.runner_name : null,
    conclusion: typeof job.conclusion === 'string' ? job.conclusion : null,
    installationId: installation?.id === undefined ? undefined : String(installation.id),
    owner: typeof owner?.login === 'string' ? owner.login : undefined,
    repository: typeof repository?.full_name === 'string' ? repository.full_name : undefined,
  };
}
