import { Badge } from "../../components/ui";

/** What names a resource for people: its IaC address, else its cloud id, else its name. */
export function resourceLabel(r: {
  address: string | null;
  cloud_id: string | null;
  name: string | null;
  type: string;
}): string {
  return r.address ?? r.cloud_id ?? r.name ?? r.type;
}

export function ManagedBadge({ managed }: { managed: boolean }) {
  return managed ? (
    <Badge tone="ok" title="A Terraform state or plan holds it">
      managed
    </Badge>
  ) : (
    <Badge tone="warn" title="Seen in the cloud, in no Terraform state or plan">
      unmanaged (created by hand)
    </Badge>
  );
}

export function ActiveBadge({ active }: { active: boolean }) {
  return active ? (
    <Badge tone="info">active</Badge>
  ) : (
    <Badge tone="neutral" title="A later complete snapshot of its scope no longer showed it">
      retired
    </Badge>
  );
}
