"""The body each kind of webhook receives for one event envelope (pure functions).

- generic: the envelope itself (schemas.WebhookEnvelope), signed;
- slack: a Slack incoming-webhook message: `text` (notifications, fallback) and Block Kit
  `blocks` (https://api.slack.com/messaging/webhooks);
- teams: a Microsoft Teams message with one Adaptive Card attachment, which both the classic
  incoming webhooks and the Workflows "post to a channel when a webhook request is received"
  accept (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/).
"""

from typing import Any

from aspm.integrations.schemas import EventType, WebhookKind

MAX_LISTED_IN_CHAT = 10

_TITLES = {
    EventType.NEW_P1: "New P1 findings",
    EventType.SLA_BREACHED: "Findings past their SLA",
    EventType.DRIFT_DETECTED: "Drift detected",
    EventType.GATE_FAILED: "Security gate failed",
    EventType.IMPORT_FAILED: "Import failed",
    EventType.TEST: "Test message",
}


def headline(envelope: dict[str, Any]) -> str:
    kind = EventType(envelope["type"])
    data = envelope["data"]
    title = _TITLES[kind]
    if kind in (EventType.NEW_P1, EventType.SLA_BREACHED, EventType.DRIFT_DETECTED):
        return f"{title}: {data['count']}"
    if kind is EventType.GATE_FAILED:
        where = " ".join(x for x in (data.get("asset"), data.get("branch")) if x)
        return f"{title}{' on ' + where if where else ''}: {data['failed']} findings"
    if kind is EventType.IMPORT_FAILED:
        return f"{title}: {data['file']}"
    return f"{title} from ASPM ({data['webhook']})"


def lines(envelope: dict[str, Any]) -> list[str]:
    """One line per thing worth reading, at most MAX_LISTED_IN_CHAT."""
    kind = EventType(envelope["type"])
    data = envelope["data"]
    if kind in (EventType.NEW_P1, EventType.SLA_BREACHED, EventType.DRIFT_DETECTED):
        out = [
            f"{f['priority'] or '-'} {f['severity']} {f['title']}"
            + (f" ({f['asset']})" if f.get("asset") else "")
            for f in data["findings"][:MAX_LISTED_IN_CHAT]
        ]
        more = data["count"] - len(out)
        return out + ([f"and {more} more"] if more > 0 else [])
    if kind is EventType.GATE_FAILED:
        return [f"policy {data['policy']}: rules {', '.join(data['failed_rules']) or '-'}"]
    if kind is EventType.IMPORT_FAILED:
        return [str(data.get("error") or "no reason given")]
    return [str(data["message"])]


def body(kind: WebhookKind, envelope: dict[str, Any]) -> dict[str, Any]:
    if kind is WebhookKind.GENERIC:
        return envelope
    title = headline(envelope)
    details = lines(envelope)
    if kind is WebhookKind.SLACK:
        return {
            "text": title,
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": "\n".join(f"• {x}" for x in details)},
                },
                {
                    "type": "context",
                    "elements": [
                        {"type": "mrkdwn", "text": f"{envelope['type']} · {envelope['id']}"}
                    ],
                },
            ],
        }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium",
                         "wrap": True},
                        *({"type": "TextBlock", "text": x, "wrap": True} for x in details),
                        {"type": "TextBlock", "text": f"{envelope['type']} · {envelope['id']}",
                         "isSubtle": True, "size": "Small", "wrap": True},
                    ],
                },
            }
        ],
    }  # fmt: skip
