import type {
  SchemaDetectionRead,
  SchemaFindingDetail,
  SchemaFindingRead,
} from "../api/generated/schema";

let n = 0;
function uuid(): string {
  n += 1;
  return `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

export function makeFinding(overrides: Partial<SchemaFindingRead> = {}): SchemaFindingRead {
  return {
    id: uuid(),
    title: "SQL injection in login handler",
    severity: "high",
    category: "sast",
    control_id: "sast.sqli",
    asset: "payments-api",
    asset_id: uuid(),
    status: "active",
    triage_state: "new",
    resource: null,
    path: "app/login.py",
    cloud_provider: null,
    account_id: null,
    region: null,
    tools: ["semgrep"],
    detections: 1,
    suppressed: false,
    suppression_rule_id: null,
    assignee: null,
    team: "payments",
    risk_score: 812,
    priority: "P1",
    sla_due_at: null,
    sla_status: null,
    risk_policy_version: "1",
    first_seen_at: "2026-11-01T10:00:00Z",
    last_seen_at: "2026-12-01T10:00:00Z",
    resolved_at: null,
    reopen_count: 0,
    version: 1,
    ...overrides,
  } as SchemaFindingRead;
}

export function makeDetection(overrides: Partial<SchemaDetectionRead> = {}): SchemaDetectionRead {
  return {
    id: uuid(),
    tool: "semgrep",
    rule_id: "python.sqli",
    title: "SQL injection",
    severity: "high",
    raw_severity: "ERROR",
    category: "sast",
    path: "app/login.py",
    start_line: 10,
    end_line: 12,
    resource: null,
    resource_type: null,
    cloud_provider: null,
    account_id: null,
    region: null,
    snippet: null,
    secret_preview: null,
    secret_verified: null,
    suppressed: false,
    active: true,
    first_seen_at: "2026-11-01T10:00:00Z",
    last_seen_at: "2026-12-01T10:00:00Z",
    ...overrides,
  } as SchemaDetectionRead;
}

export function makeFindingDetail(
  overrides: Partial<SchemaFindingDetail> = {},
): SchemaFindingDetail {
  return {
    ...makeFinding(),
    description: "User input reaches a SQL query.",
    remediation: "Use bound parameters.",
    references: ["https://owasp.org/www-community/attacks/SQL_Injection"],
    cwe_ids: [89],
    compliance: [["PCI-DSS", "6.2.4"]],
    detection_list: [makeDetection()],
    risk_explanation: [],
    control: null,
    ...overrides,
  } as SchemaFindingDetail;
}

export function page<T>(items: T[], total = items.length, offset = 0, limit = 50) {
  return { items, total, offset, limit };
}
