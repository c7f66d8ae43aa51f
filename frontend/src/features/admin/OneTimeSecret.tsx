import { useState } from "react";
import { Button } from "../../components/ui";

/**
 * A secret the server shows once (a one-time password, an API token): displayed with a copy
 * button and a warning, gone when the panel is closed.
 */
export function OneTimeSecret({
  label,
  value,
  note,
  onDone,
}: {
  label: string;
  value: string;
  note: string;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="notice one-time-secret" role="status" data-testid="one-time-secret">
      <p>
        <strong>{label}</strong> (shown this once: {note})
      </p>
      <p>
        <code data-testid="secret-value">{value}</code>{" "}
        <Button
          size="sm"
          onClick={() =>
            void navigator.clipboard
              ?.writeText(value)
              .then(() => setCopied(true))
              .catch(() => setCopied(false))
          }
        >
          {copied ? "Copied" : "Copy"}
        </Button>{" "}
        <Button size="sm" variant="ghost" onClick={onDone}>
          Done
        </Button>
      </p>
    </div>
  );
}
