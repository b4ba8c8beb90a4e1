import { SECTIONS } from "../model/fields";
import { visitHref } from "./router";

export function SectionNav({ visitId, current, counts }: { visitId: string; current: string; counts: Record<string, number> }) {
  return (
    <nav aria-label="Visit sections" class="section-nav">
      <ul>
        {SECTIONS.map((s) => (
          <li key={s.id}>
            <a href={visitHref(visitId, s.id)} aria-current={s.id === current ? "page" : undefined}>
              {s.title}
              {counts[s.id] ? <span class="count"> ({counts[s.id]})</span> : null}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
