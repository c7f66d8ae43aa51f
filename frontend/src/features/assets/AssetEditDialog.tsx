import { type FormEvent, useState } from "react";
import { useUpdateAsset } from "../../api/assets";
import {
  dataSensitivityValues,
  environmentValues,
  exposureValues,
  type SchemaAssetRead,
  type SchemaAssetWrite,
} from "../../api/generated/schema";
import { Button, Dialog, ErrorMessage, SelectField, TextField } from "../../components/ui";
import { humanize } from "../../lib/format";

const options = (values: readonly string[]) =>
  values.map((v) => ({ value: v, label: humanize(v) }));

const CRITICALITY = [
  { value: "", label: "not set" },
  { value: "1", label: "tier 1 (most critical)" },
  { value: "2", label: "tier 2" },
  { value: "3", label: "tier 3" },
];

/** The asset's context as PUT expects it: the edited fields, everything else as it was. */
export function toAssetWrite(
  asset: SchemaAssetRead,
  patch: Pick<
    SchemaAssetWrite,
    "environment" | "exposure" | "data_sensitivity" | "criticality" | "owner_team" | "data_tags"
  > &
    Partial<Pick<SchemaAssetWrite, "repository_url" | "default_branch">>,
): SchemaAssetWrite {
  return {
    kind: asset.kind as SchemaAssetWrite["kind"],
    key: asset.key,
    match: asset.match,
    // PUT replaces: what the form does not edit goes back as it was
    repository_url: asset.repository_url ?? null,
    default_branch: asset.default_branch ?? null,
    ...patch,
  };
}

export function AssetEditDialog({
  asset,
  onClose,
  onSaved,
}: {
  asset: SchemaAssetRead;
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  const update = useUpdateAsset();
  const [environment, setEnvironment] = useState(asset.environment);
  const [exposure, setExposure] = useState(asset.exposure);
  const [sensitivity, setSensitivity] = useState(asset.data_sensitivity);
  const [criticality, setCriticality] = useState(asset.criticality?.toString() ?? "");
  const [owner, setOwner] = useState(asset.owner_team ?? "");
  const [tags, setTags] = useState(asset.data_tags.join(", "));
  const [repositoryUrl, setRepositoryUrl] = useState(asset.repository_url ?? "");
  const [branch, setBranch] = useState(asset.default_branch ?? "");

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const body = toAssetWrite(asset, {
      environment: environment as SchemaAssetWrite["environment"],
      exposure: exposure as SchemaAssetWrite["exposure"],
      data_sensitivity: sensitivity as SchemaAssetWrite["data_sensitivity"],
      criticality: criticality ? Number(criticality) : null,
      owner_team: owner.trim() || null,
      data_tags: tags
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
      repository_url: repositoryUrl.trim() || null,
      default_branch: branch.trim() || null,
    });
    try {
      await update.mutateAsync({ name: asset.name, body });
      onSaved(`Saved ${asset.name}; its findings were re-scored.`);
    } catch {
      // shown below from update.error
    }
  }

  return (
    <Dialog title={`Edit ${asset.name}`} open onClose={onClose}>
      <form onSubmit={onSubmit}>
        <div className="form-grid">
          <SelectField
            label="Environment"
            value={environment}
            options={options(environmentValues)}
            onChange={(e) => setEnvironment(e.target.value)}
          />
          <SelectField
            label="Exposure"
            value={exposure}
            options={options(exposureValues)}
            onChange={(e) => setExposure(e.target.value)}
          />
          <SelectField
            label="Data sensitivity"
            value={sensitivity}
            options={options(dataSensitivityValues)}
            onChange={(e) => setSensitivity(e.target.value)}
          />
          <SelectField
            label="Criticality"
            value={criticality}
            options={CRITICALITY}
            onChange={(e) => setCriticality(e.target.value)}
          />
          <TextField
            label="Owner team"
            value={owner}
            maxLength={200}
            onChange={(e) => setOwner(e.target.value)}
          />
          <TextField
            label="Data tags"
            hint="comma-separated: pii, pci, phi, ..."
            value={tags}
            onChange={(e) => setTags(e.target.value)}
          />
          <TextField
            label="Repository URL"
            hint="https://github.com/org/repo, a GitLab or Bitbucket URL, or git@host:org/repo.git: detections link to their lines"
            value={repositoryUrl}
            maxLength={500}
            spellCheck={false}
            autoComplete="off"
            inputMode="url"
            onChange={(e) => setRepositoryUrl(e.target.value)}
          />
          <TextField
            label="Default branch"
            hint="what links show when an import names no commit, e.g. main"
            value={branch}
            maxLength={200}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setBranch(e.target.value)}
          />
        </div>
        {update.error ? <ErrorMessage error={update.error} title="Not saved" /> : null}
        <div className="dialog-actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={update.isPending}>
            {update.isPending ? "Saving…" : "Save"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
