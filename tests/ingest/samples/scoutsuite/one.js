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
    "ec2"
  ],
  "services": {
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
        }
      }
    }
  }
}
