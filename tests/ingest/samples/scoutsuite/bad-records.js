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
    "kms"
  ],
  "services": {
    "ec2": {
      "regions": {},
      "findings": {
        "ec2-not-an-object": "oops",
        "ec2-bad-item": {
          "checked_items": 2,
          "compliance": null,
          "dashboard_name": "Resources",
          "description": "Rule with a bad item",
          "flagged_items": 2,
          "items": [
            "ec2.regions.eu-west-1.vpcs.vpc-1.instances.i-1",
            7
          ],
          "level": "critical",
          "path": "ec2.regions.id.vpcs.id.instances.id",
          "rationale": "",
          "references": null,
          "remediation": null,
          "service": "EC2"
        },
        "ec2-count-mismatch": {
          "checked_items": 1,
          "compliance": null,
          "dashboard_name": "Resources",
          "description": "Count mismatch",
          "flagged_items": 2,
          "items": [
            "ec2.regions.eu-west-1.vpcs.vpc-1.instances.i-2"
          ],
          "level": "warning",
          "path": "ec2.regions.id.vpcs.id.instances.id",
          "rationale": "",
          "references": null,
          "remediation": null,
          "service": "EC2"
        }
      }
    },
    "kms": "not an object"
  }
}
