"""Risk facts a Terraform resource's values give (issue 14 reads them): public IPs, instance
metadata tokens, and the instance a target group attachment names."""

from aspm.ingest.formats import _terraform


def test_public_ip_and_imds_facts_of_an_instance() -> None:
    values = {
        "associate_public_ip_address": True,
        "public_ip": "203.0.113.7",
        "metadata_options": [{"http_tokens": "optional", "http_endpoint": "enabled"}],
    }
    facts = _terraform.facts("aws_instance", values)
    assert ("associate_public_ip_address", "true") in facts
    assert ("public_ip", "203.0.113.7") in facts
    assert ("http_tokens", "optional") in facts
    private = _terraform.facts(
        "aws_instance",
        {"associate_public_ip_address": False, "public_ip": "",
         "metadata_options": [{"http_tokens": "required"}]},
    )  # fmt: skip
    assert ("associate_public_ip_address", "false") in private
    assert not [f for f in private if f[0] == "public_ip"]
    assert ("http_tokens", "required") in private


def test_odd_metadata_options_give_no_fact() -> None:
    for odd in ({"http_tokens": "optional"}, "optional", [None, 3], None):
        assert not [f for f in _terraform.facts("aws_instance", {"metadata_options": odd})
                    if f[0] == "http_tokens"]  # fmt: skip


def test_target_group_attachment_names_its_target() -> None:
    relations = _terraform.relations(
        "aws_lb_target_group_attachment",
        {"target_group_arn": "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/api/1",
         "target_id": "i-0abc"},
    )  # fmt: skip
    assert ("target", "i-0abc") in relations
    assert (
        "target_group",
        "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/api/1",
    ) in relations
