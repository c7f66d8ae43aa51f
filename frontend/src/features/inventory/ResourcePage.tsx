import { useQuery } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { Fragment } from "react";
import type { SchemaResourceDetail } from "../../api/generated/schema";
import { resourceDetailQuery } from "../../api/resources";
import { ErrorMessage, Loading, Section } from "../../components/ui";
import { formatDateTime, humanize } from "../../lib/format";
import { SeverityBadge } from "../findings/Badges";
import { ActiveBadge, ManagedBadge, resourceLabel } from "./ResourceBadges";
import "../pages.css";

const route = getRouteApi("/app/inventory/$resourceId");

/** One resource: identity, tags, facts, relations and the findings linked to it. */
export function ResourcePage() {
  const { resourceId } = route.useParams();
  const { data: r, error, isPending } = useQuery(resourceDetailQuery(resourceId));
  if (isPending) return <Loading label="Loading resource…" />;
  if (error) return <ErrorMessage error={error} title="Could not load this resource" />;

  return (
    <article className="resource" aria-labelledby="resource-title">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/inventory">Inventory</Link> / resource
      </nav>
      <header className="finding-header">
        <h1 id="resource-title" className="resource-title">
          {resourceLabel(r)}
        </h1>
        <div className="finding-meta">
          <ManagedBadge managed={r.managed} />
          <ActiveBadge active={r.active} />
          <span className="muted">
            <code>{r.type}</code> · {r.provider} · {r.asset}
          </span>
        </div>
      </header>

      <div className="finding-grid">
        <div className="stack">
          <Section title={`Linked findings (${r.finding_list.length})`}>
            <LinkedFindings resource={r} />
          </Section>
          <Section title="Facts">
            {r.facts.length ? (
              <table className="data-table" data-testid="resource-facts">
                <caption className="sr-only">What the import says about its security</caption>
                <thead>
                  <tr>
                    <th scope="col">Fact</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {r.facts.map(([key, value], i) => (
                    // a key may repeat (two ingress rules): the position tells them apart
                    // biome-ignore lint/suspicious/noArrayIndexKey: facts are a fixed list
                    <tr key={`${key}-${i}`}>
                      <th scope="row">{humanize(key ?? "")}</th>
                      <td className="wrap">{value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="muted">
                The import recorded no security facts (exposure, encryption, logging) for it.
              </p>
            )}
          </Section>
          <Section title={`Relations (${r.relations.length})`}>
            {r.relations.length ? (
              <ul className="relations" data-testid="resource-relations">
                {r.relations.map((rel) => (
                  <li key={`${rel.kind}-${rel.target}`}>
                    <span className="label">{humanize(rel.kind)}</span>{" "}
                    {rel.resource_id ? (
                      <Link
                        to="/inventory/$resourceId"
                        params={{ resourceId: rel.resource_id }}
                        className="id"
                      >
                        {rel.target}
                      </Link>
                    ) : (
                      <span className="id" title="not in this asset's inventory">
                        {rel.target}
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">No relations to other resources.</p>
            )}
          </Section>
        </div>
        <div className="stack">
          <Section title="Identity">
            <dl className="facts" data-testid="resource-identity">
              <dt>Address</dt>
              <dd className="id">{r.address ?? "–"}</dd>
              <dt>Cloud id</dt>
              <dd className="id">{r.cloud_id ?? "–"}</dd>
              <dt>Name</dt>
              <dd>{r.name ?? "–"}</dd>
              <dt>Type</dt>
              <dd>
                <code>{r.type}</code>
              </dd>
              <dt>Provider</dt>
              <dd>{r.provider}</dd>
              <dt>Account</dt>
              <dd>{r.account_id ?? "–"}</dd>
              <dt>Region</dt>
              <dd>{r.region ?? "–"}</dd>
              <dt>Asset</dt>
              <dd>
                <Link to="/inventory" search={{ asset: r.asset }}>
                  {r.asset}
                </Link>
              </dd>
              <dt>First seen</dt>
              <dd>{formatDateTime(r.first_seen_at)}</dd>
              <dt>Last seen</dt>
              <dd>{formatDateTime(r.last_seen_at)}</dd>
              {r.retired_at ? (
                <>
                  <dt>Retired</dt>
                  <dd>{formatDateTime(r.retired_at)}</dd>
                </>
              ) : null}
            </dl>
          </Section>
          <Section title="Tags">
            {Object.keys(r.tags).length ? (
              <dl className="facts" data-testid="resource-tags">
                {Object.entries(r.tags).map(([key, value]) => (
                  <Fragment key={key}>
                    <dt className="id">{key}</dt>
                    <dd>{value}</dd>
                  </Fragment>
                ))}
              </dl>
            ) : (
              <p className="muted">No tags.</p>
            )}
          </Section>
        </div>
      </div>
    </article>
  );
}

function LinkedFindings({ resource: r }: { resource: SchemaResourceDetail }) {
  if (!r.finding_list.length) {
    return <p className="muted">No finding is linked to this resource.</p>;
  }
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="resource-findings">
        <caption className="sr-only">Findings linked to this resource</caption>
        <thead>
          <tr>
            <th scope="col">Finding</th>
            <th scope="col">Severity</th>
            <th scope="col">State</th>
            <th scope="col">Matched by</th>
          </tr>
        </thead>
        <tbody>
          {r.finding_list.map((f) => (
            <tr key={f.id} data-testid="linked-finding">
              <th scope="row" className="wrap">
                <Link to="/findings/$findingId" params={{ findingId: f.id }}>
                  {f.title}
                </Link>
              </th>
              <td>
                <SeverityBadge severity={f.severity} />
              </td>
              <td>{f.status === "fixed" ? "fixed" : "still detected"}</td>
              <td>{humanize(f.via)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
