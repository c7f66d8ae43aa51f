scoutsuite_results =
{
  "services": {
    "s3": {
      "buckets": {
        "3f786850e387550fdab836ed7e6dc881de23001b": {
          "id": "3f786850e387550fdab836ed7e6dc881de23001b",
          "name": "acme-audit-logs",
          "arn": "arn:aws:s3:::acme-audit-logs",
          "versioning_status_enabled": false
        }
      },
      "findings": {
        "s3-bucket-no-versioning": {
          "checked_items": 1,
          "compliance": null,
          "dashboard_name": "Resources",
          "description": "Bucket without Versioning",
          "flagged_items": 1,
          "items": [
            "s3.buckets.3f786850e387550fdab836ed7e6dc881de23001b.versioning"
          ],
          "level": "warning",
          "path": "s3.buckets.id",
          "rationale": "",
          "references": [
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html"
          ],
          "remediation": null,
          "service": "S3",
          "id_suffix": "versioning"
        }
      }
    }
  },
  "provider_code": "aws",
  "account_id": "123456789012",
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
  "metadata": {}
}
