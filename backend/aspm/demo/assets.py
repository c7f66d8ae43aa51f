"""The demo company's assets.yaml: what each repository and cloud account is, so the risk engine
ranks the same kind of issue differently in the payments service and in a sandbox, and where the
repositories' code lives, so detections link to their lines. Pure."""

from aspm.demo import org
from aspm.demo.values import GIT_HOST, ORG


def assets_yaml() -> str:
    aws_prod = org.AWS_PROD_ACCOUNT
    aws_staging = org.AWS_STAGING_ACCOUNT
    azure = org.AZURE_ACCOUNT
    return f"""\
# Asset context for the demo company (apply it yourself with: aspm assets apply assets.yaml)
assets:
  - name: {org.asset_name(org.PAYMENTS)}
    kind: repository
    environment: prod
    exposure: internal  # behind the API gateway; what is public shows up as toxic combinations
    data_sensitivity: restricted
    data_tags: [pci, pii]
    criticality: 1
    owner_team: payments
    repository_url: {GIT_HOST}/{ORG}/{org.PAYMENTS}
    default_branch: main
    match:
      repositories: [{org.asset_name(org.PAYMENTS)}]
  - name: {org.asset_name(org.FRONTEND)}
    kind: repository
    environment: prod
    exposure: internet
    data_sensitivity: internal
    criticality: 2
    owner_team: web
    repository_url: git@{GIT_HOST.removeprefix("https://")}:{ORG}/{org.FRONTEND}.git  # as cloned
    default_branch: main
    match:
      repositories: [{org.asset_name(org.FRONTEND)}]
  - name: {org.asset_name(org.PIPELINE)}
    kind: repository
    environment: staging
    exposure: internal
    data_sensitivity: confidential
    data_tags: [pii]
    criticality: 2
    owner_team: data
    repository_url: {GIT_HOST}/{ORG}/{org.PIPELINE}.git
    default_branch: develop
    match:
      repositories: [{org.asset_name(org.PIPELINE)}]
  - name: {org.asset_name(org.MODULES)}
    kind: repository
    environment: dev
    exposure: not_deployed
    data_sensitivity: internal
    criticality: 3
    owner_team: platform
    match:
      repositories: [{org.asset_name(org.MODULES)}]
  - name: {org.cloud_asset_name(aws_prod)}
    kind: cloud_account
    environment: prod
    exposure: internal  # VPC-private unless a finding shows a resource public
    data_sensitivity: confidential
    data_tags: [pci]
    criticality: 1
    owner_team: platform
    match:
      accounts: ["{aws_prod.uid}"]
  - name: {org.cloud_asset_name(aws_staging)}
    kind: cloud_account
    environment: staging
    exposure: internal
    data_sensitivity: internal
    criticality: 2
    owner_team: platform
    match:
      accounts: ["{aws_staging.uid}"]
  - name: {org.cloud_asset_name(azure)}
    kind: cloud_account
    environment: dev
    exposure: isolated
    data_sensitivity: public
    criticality: 3
    owner_team: data
    match:
      accounts: ["{azure.uid}"]
"""
