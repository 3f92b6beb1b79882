import type { EnforcedBlockDetail } from '../api/types';

/**
 * The enforced blocks linked to the bucket, each at its linked version: the provisioners
 * Packer injects into every build of it (GetEnforcedBlocksByBucket).
 */
export function EnforcedBlocksSection({ blocks }: { blocks: EnforcedBlockDetail[] }) {
  return (
    <section aria-labelledby="enforced-heading">
      <h2 id="enforced-heading">Enforced blocks</h2>
      {blocks.length === 0 ? (
        <p class="muted">No enforced block: builds run only their template’s provisioners.</p>
      ) : (
        blocks.map((b) => (
          <article
            key={b.id}
            class="card"
            data-enforced-block={b.name}
            aria-labelledby={`eb-${b.id}`}
          >
            <h3 id={`eb-${b.id}`}>
              {b.name} · {b.version.version}{' '}
              <span class="badge neutral">{b.version.template_type}</span>
            </h3>
            {b.version.additional_description && <p>{b.version.additional_description}</p>}
            <pre>
              <code>{b.version.block_content}</code>
            </pre>
          </article>
        ))
      )}
    </section>
  );
}
