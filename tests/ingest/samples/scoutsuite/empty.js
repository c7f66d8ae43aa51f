scoutsuite_results =
{
  "account_id": "123456789012",
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
  "provider_code": "aws",
  "provider_name": "Amazon Web Services",
  "result_format": "json",
  "service_list": [
    "ec2",
    "s3"
  ],
  "services": {
    "ec2": {
      "regions": {},
      "findings": {
        "ec2-security-group-opens-SSH-port-to-all": {
          "checked_items": 4,
          "compliance": null,
          "dashboard_name": "Resources",
          "description": "SSH Port Open to All",
          "flagged_items": 0,
          "items": [],
          "level": "danger",
          "path": "ec2.regions.id.vpcs.id.security_groups.id",
          "rationale": "",
          "references": null,
          "remediation": null,
          "service": "EC2"
        }
      }
    },
    "s3": {
      "buckets": {},
      "findings": {
        "s3-bucket-no-logging": {
          "checked_items": 0,
          "compliance": null,
          "dashboard_name": "Resources",
          "description": "Bucket Access Logging Disabled",
          "flagged_items": 0,
          "items": [],
          "level": "warning",
          "path": "s3.buckets.id",
          "rationale": "",
          "references": null,
          "remediation": null,
          "service": "S3"
        }
      }
    }
  }
}
