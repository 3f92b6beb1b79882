import { useEffect, useState } from 'preact/hooks';
import type { Bucket } from '../api/types';
import { ErrorAlert, Loading, Time } from '../components/bits';
import { AncestryBadge, VersionStatusBadge } from '../components/status';
import { useLoad } from '../components/use-load';
import { labelsText } from '../format';
import { bucketHref, bucketsHref, versionHref } from '../router';
import { SCOPE_ID_PATTERN } from '../session';
import type { PageProps } from '../signed-in';

type Show = 'all' | 'active' | 'scheduled' | 'revoked' | 'out-of-date';
type Sort = 'name' | 'updated' | 'versions';

const SHOWS: Record<Show, { label: string; test: (b: Bucket) => boolean }> = {
  all: { label: 'Any status', test: () => true },
  active: {
    label: 'Latest version active',
    test: (b) => b.latest_version?.status === 'VERSION_ACTIVE',
  },
  scheduled: {
    label: 'Revocation scheduled',
    test: (b) => b.latest_version?.status === 'VERSION_REVOCATION_SCHEDULED',
  },
  revoked: {
    label: 'Revoked, or no version',
    test: (b) => !b.latest_version || b.latest_version.status === 'VERSION_REVOKED',
  },
  'out-of-date': {
    label: 'Ancestry out of date',
    test: (b) => b.parents?.status === 'OUT_OF_DATE' || b.children?.status === 'OUT_OF_DATE',
  },
};

const SORTS: Record<Sort, { label: string; compare: (a: Bucket, b: Bucket) => number }> = {
  name: { label: 'Name', compare: (a, b) => a.name.localeCompare(b.name) },
  updated: {
    label: 'Last updated',
    compare: (a, b) => b.updated_at.localeCompare(a.updated_at),
  },
  versions: {
    label: 'Most versions',
    compare: (a, b) => Number(b.version_count) - Number(a.version_count),
  },
};

function matches(bucket: Bucket, text: string): boolean {
  const haystack = [
    bucket.name,
    bucket.description,
    labelsText(bucket.labels),
    bucket.platforms.join(' '),
    bucket.latest_version?.name ?? '',
  ]
    .join(' ')
    .toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .every((word) => haystack.includes(word));
}

/** Every bucket of the project, its latest version and how its ancestry stands. */
export function BucketListPage({ api }: PageProps) {
  const { organizationId, projectId } = api.scope;
  const buckets = useLoad(`buckets ${organizationId}/${projectId}`, () => api.buckets());
  const [text, setText] = useState('');
  const [show, setShow] = useState<Show>('all');
  const [sort, setSort] = useState<Sort>('name');

  useEffect(() => {
    document.title = `Buckets · ${organizationId}/${projectId} · Ingot registry`;
  }, [organizationId, projectId]);

  const shown = (buckets.data ?? [])
    .filter((b) => SHOWS[show].test(b) && matches(b, text.trim()))
    .sort(SORTS[sort].compare);

  return (
    <>
      <div class="section-head">
        <h1>Buckets</h1>
        <ProjectSwitcher organizationId={organizationId} projectId={projectId} />
      </div>
      <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Filter
          <input
            type="search"
            placeholder="name, description, label, platform"
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        <label>
          Show
          <select value={show} onChange={(e) => setShow(e.currentTarget.value as Show)}>
            {Object.entries(SHOWS).map(([value, { label }]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort by
          <select value={sort} onChange={(e) => setSort(e.currentTarget.value as Sort)}>
            {Object.entries(SORTS).map(([value, { label }]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorAlert error={buckets.error} />
      {buckets.loading && !buckets.error && <Loading what="buckets" />}
      {buckets.data && buckets.data.length === 0 && (
        <p>
          No buckets in organization “{organizationId}”, project “{projectId}” yet. Publish a
          version with <code>ingot publish</code> (see the README), or open another project.
        </p>
      )}
      {buckets.data && buckets.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption>
              {shown.length} of {buckets.data.length} buckets
            </caption>
            <thead>
              <tr>
                <th scope="col">Bucket</th>
                <th scope="col">Description</th>
                <th scope="col">Latest version</th>
                <th scope="col">Status</th>
                <th scope="col">Parents</th>
                <th scope="col">Children</th>
                <th scope="col">Platforms</th>
                <th scope="col">Versions</th>
                <th scope="col">Last updated</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((b) => (
                <tr key={b.name}>
                  <th scope="row">
                    <a href={bucketHref(api.scope, b.name)}>{b.name}</a>
                  </th>
                  <td>{b.description || <span class="muted">none</span>}</td>
                  <td>
                    {b.latest_version ? (
                      <a href={versionHref(api.scope, b.name, b.latest_version.fingerprint)}>
                        {b.latest_version.name}
                      </a>
                    ) : (
                      <span class="muted">none</span>
                    )}
                  </td>
                  <td>
                    {b.latest_version ? (
                      <VersionStatusBadge version={b.latest_version} />
                    ) : (
                      <span class="muted">no valid version</span>
                    )}
                  </td>
                  <td>
                    <AncestryBadge status={b.parents?.status} />
                  </td>
                  <td>
                    <AncestryBadge status={b.children?.status} />
                  </td>
                  <td>{b.platforms.join(', ') || <span class="muted">none</span>}</td>
                  <td class="number">{b.version_count}</td>
                  <td>
                    <Time iso={b.updated_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** Any organization/project id works: buckets are scoped to them. */
function ProjectSwitcher(props: { organizationId: string; projectId: string }) {
  const [organizationId, setOrganizationId] = useState(props.organizationId);
  const [projectId, setProjectId] = useState(props.projectId);
  return (
    <details class="switcher">
      <summary>Open another project</summary>
      <form
        class="toolbar"
        aria-label="Open another project"
        onSubmit={(event) => {
          event.preventDefault();
          location.hash = bucketsHref({
            organizationId: organizationId.trim(),
            projectId: projectId.trim(),
          });
        }}
      >
        <label>
          Organization
          <input
            required
            pattern={SCOPE_ID_PATTERN}
            value={organizationId}
            onInput={(e) => setOrganizationId(e.currentTarget.value)}
          />
        </label>
        <label>
          Project
          <input
            required
            pattern={SCOPE_ID_PATTERN}
            value={projectId}
            onInput={(e) => setProjectId(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Open project</button>
      </form>
    </details>
  );
}
