scoutsuite_results =
{
  "account_id": "acme-prod",
  "environment": null,
  "last_run": {
    "ruleset_about": "Default ruleset.",
    "ruleset_name": "default",
    "run_parameters": {
      "excluded_regions": [],
      "regions": [],
      "services": [],
      "skipped_services": []
    },
    "summary": {},
    "time": "2024-04-02 11:00:00+0000",
    "version": "5.14.0"
  },
  "metadata": {},
  "partition": "aws",
  "provider_code": "gcp",
  "provider_name": "Google Cloud Platform",
  "result_format": "json",
  "service_list": [
    "cloudstorage"
  ],
  "services": {
    "cloudstorage": {
      "projects": {
        "acme-prod": {
          "buckets": {
            "bkt-1": {
              "id": "bkt-1",
              "name": "acme-public-assets"
            }
          }
        }
      },
      "findings": {
        "cloudstorage-bucket-allUsers": {
          "checked_items": 1,
          "compliance": [
            {
              "name": "CIS Google Cloud Platform Foundations",
              "reference": "5.1",
              "version": "1.0.0"
            }
          ],
          "dashboard_name": "Resources",
          "description": "Bucket Accessible by \"allUsers\"",
          "flagged_items": 1,
          "items": [
            "cloudstorage.projects.acme-prod.buckets.bkt-1.member_allUsers"
          ],
          "level": "danger",
          "path": "cloudstorage.projects.id.buckets.id",
          "rationale": "",
          "references": null,
          "remediation": null,
          "service": "Cloud Storage"
        }
      }
    }
  },
  "project_id": "acme-prod"
}
