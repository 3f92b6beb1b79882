/** Where the page sits: project › bucket › version; the last one is the page itself. */
export function Breadcrumbs({ trail }: { trail: { label: string; href: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" class="breadcrumbs">
      <ol>
        {trail.map((step, i) => (
          <li key={step.href}>
            <a href={step.href} aria-current={i === trail.length - 1 ? 'page' : undefined}>
              {step.label}
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}
