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
    "cloudtrail",
    "ec2",
    "iam",
    "s3"
  ],
  "services": {
    "cloudtrail": {
      "regions": {
        "eu-west-1": {
          "id": "eu-west-1",
          "name": "eu-west-1",
          "trails": {}
        }
      },
      "findings": {
        "cloudtrail-not-configured": {
          "checked_items": 1,
          "compliance": null,
          "dashboard_name": "Resources",
          "description": "CloudTrail Service Not Configured",
          "flagged_items": 1,
          "items": [
            "cloudtrail.regions.eu-west-1.NotConfigured"
          ],
          "level": "danger",
          "path": "cloudtrail.regions.id",
          "rationale": "",
          "references": null,
          "remediation": null,
          "service": "CloudTrail",
          "id_suffix": "NotConfigured"
        }
      }
    },
    "ec2": {
      "regions": {
        "eu-west-1": {
          "id": "eu-west-1",
          "name": "eu-west-1",
          "vpcs": {
            "vpc-0aa11bb22cc33dd44": {
              "id": "vpc-0aa11bb22cc33dd44",
              "security_groups": {
                "sg-0123456789abcdef0": {
                  "id": "sg-0123456789abcdef0",
                  "name": "default",
                  "arn": "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0",
                  "rules": {
                    "ingress": {
                      "protocols": {
                        "TCP": {
                          "ports": {
                            "22": {
                              "cidrs": [
                                {
                                  "CIDR": "0.0.0.0/0"
                                }
                              ]
                            }
                          }
                        }
                      }
                    },
                    "egress": {
                      "protocols": {}
                    }
                  }
                }
              }
            }
          }
        }
      },
      "findings": {
        "ec2-security-group-opens-SSH-port-to-all": {
          "checked_items": 1,
          "compliance": [
            {
              "name": "CIS Amazon Web Services Foundations",
              "reference": "4.1",
              "version": "1.2.0"
            }
          ],
          "dashboard_name": "Resources",
          "description": "SSH Port Open to All",
          "flagged_items": 1,
          "items": [
            "ec2.regions.eu-west-1.vpcs.vpc-0aa11bb22cc33dd44.security_groups.sg-0123456789abcdef0.rules.ingress.protocols.TCP.ports.22.cidrs.0.CIDR"
          ],
          "level": "danger",
          "path": "ec2.regions.id.vpcs.id.security_groups.id.rules.id.protocols.id.ports.id.cidrs.id.CIDR",
          "rationale": "Exposing SSH to the Internet invites <b>brute-force</b> attacks.<br><br>Restrict it to known ranges &amp; bastions.",
          "references": [
            "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html"
          ],
          "remediation": "Remove the 0.0.0.0/0 rule for port 22",
          "service": "EC2",
          "display_path": "ec2.regions.id.vpcs.id.security_groups.id"
        },
        "ec2-default-security-group-with-rules": {
          "checked_items": 2,
          "compliance": null,
          "dashboard_name": "Resources",
          "description": "Non-empty Rulesets for Default Security Groups",
          "flagged_items": 2,
          "items": [
            "ec2.regions.eu-west-1.vpcs.vpc-0aa11bb22cc33dd44.security_groups.sg-0123456789abcdef0.rules.ingress.default_with_rules",
            "ec2.regions.eu-west-1.vpcs.vpc-0aa11bb22cc33dd44.security_groups.sg-0123456789abcdef0.rules.egress.default_with_rules"
          ],
          "level": "warning",
          "path": "ec2.regions.id.vpcs.id.security_groups.id.rules.id",
          "rationale": "Default security groups should restrict all traffic.",
          "references": null,
          "remediation": null,
          "service": "EC2",
          "display_path": "ec2.regions.id.vpcs.id.security_groups.id",
          "id_suffix": "default_with_rules"
        },
        "ec2-ebs-volume-not-encrypted": {
          "checked_items": 3,
          "compliance": null,
          "dashboard_name": "Resources",
          "description": "EBS Volume Not Encrypted",
          "flagged_items": 0,
          "items": [],
          "level": "warning",
          "path": "ec2.regions.id.volumes.id",
          "rationale": "",
          "references": null,
          "remediation": null,
          "service": "EC2"
        }
      }
    },
    "iam": {
      "password_policy": {
        "MinimumPasswordLength": 8
      },
      "findings": {
        "iam-password-policy-minimum-length": {
          "checked_items": 1,
          "compliance": null,
          "dashboard_name": "Resources",
          "description": "Minimum Password Length Too Short",
          "flagged_items": 1,
          "items": [
            "iam.password_policy.MinimumPasswordLength"
          ],
          "level": "danger",
          "path": "iam.password_policy.MinimumPasswordLength",
          "rationale": "",
          "references": null,
          "remediation": "Require passwords of at least 14 characters",
          "service": "IAM"
        }
      }
    },
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
  }
}
