import type { Build, Package } from '../api/types';
import { LabelList, Time } from '../components/bits';

const BUILD_STATUS: Record<string, string> = {
  BUILD_DONE: 'done',
  BUILD_RUNNING: 'running',
  BUILD_FAILED: 'failed',
  BUILD_CANCELLED: 'cancelled',
  BUILD_UNSET: 'unset',
};

/** The packages the build's SBOMs list (uploaded by Packer's hcp-sbom provisioner). */
function PackagesTable({ build, packages }: { build: Build; packages: Package[] }) {
  if (packages.length === 0) return <p class="muted">No SBOM uploaded: no package list.</p>;
  return (
    <div class="table-wrap">
      <table data-packages={build.id}>
        <caption>
          Packages ({packages.length}, from SBOMs{' '}
          {[...new Set(packages.flatMap((p) => p.sboms.map((s) => s.name)))].join(', ')})
        </caption>
        <thead>
          <tr>
            <th scope="col">Package</th>
            <th scope="col">Version</th>
            <th scope="col">Package URL</th>
          </tr>
        </thead>
        <tbody>
          {packages.map((p) => (
            <tr key={`${p.name}@${p.version}@${p.purl}`}>
              <td>{p.name}</td>
              <td>{p.version}</td>
              <td>
                <code class="wrap">{p.purl}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * One part per Packer source: platform, component type, labels, its image per region,
 * and the packages its SBOMs list.
 */
export function BuildsSection({
  builds,
  packages = {},
}: {
  builds: Build[];
  packages?: Record<string, Package[]>;
}) {
  return (
    <section aria-labelledby="builds-heading">
      <h2 id="builds-heading">Builds</h2>
      {builds.length === 0 && <p class="muted">No builds.</p>}
      {builds.map((b) => (
        <article key={b.id} class="card build" aria-labelledby={`build-${b.id}`}>
          <h3 id={`build-${b.id}`}>
            {b.platform} · <code>{b.component_type}</code>{' '}
            <span class={`badge ${b.status === 'BUILD_DONE' ? 'good' : 'neutral'}`}>
              {BUILD_STATUS[b.status] ?? b.status}
            </span>
          </h3>
          <dl class="facts">
            <dt>Labels</dt>
            <dd>
              <LabelList labels={b.labels} />
            </dd>
            <dt>Built</dt>
            <dd>
              <Time iso={b.created_at} />
            </dd>
          </dl>
          {b.artifacts.length === 0 ? (
            <p class="muted">No images.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">
                  Images of the {b.platform} {b.component_type} build
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Region</th>
                    <th scope="col">Image id</th>
                  </tr>
                </thead>
                <tbody>
                  {b.artifacts.map((a) => (
                    <tr key={a.id}>
                      <td>{a.region}</td>
                      <td>
                        <code class="wrap">{a.external_identifier}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <PackagesTable build={b} packages={packages[b.id] ?? []} />
        </article>
      ))}
    </section>
  );
}
