import type { SchemaRiskFactorRead } from "../../api/generated/schema";
import { humanize } from "../../lib/format";

// explanation entries that are steps of the formula, not multipliers of the score
const STEPS = new Set(["curve", "decision_points", "decision"]);

/** "Why P1": each factor of the score (value, multiplier, source), how they combine into the
 * score, the decision points and the rule of the decision table that gave the priority, and the
 * path of a toxic combination. */
export function RiskExplanation({
  priority,
  score,
  factors,
}: {
  priority: string | null | undefined;
  score: number | null | undefined;
  factors: readonly SchemaRiskFactorRead[];
}) {
  if (score == null) {
    return (
      <p className="muted">Not scored yet: the risk engine scores findings after each import.</p>
    );
  }
  const multipliers = factors.filter((f) => !STEPS.has(f.factor));
  const curve = factors.find((f) => f.factor === "curve");
  const points = factors.find((f) => f.factor === "decision_points");
  const decision = factors.find((f) => f.factor === "decision");
  const toxic = factors.find((f) => f.factor === "toxic_combination");
  return (
    <div className="explanation">
      <p>
        {priority ? (
          <>
            Priority <strong>{priority}</strong>
            {decision ? <> ({decision.source})</> : null}; risk score <strong>{score}</strong>{" "}
            orders it within {priority}
          </>
        ) : (
          <>
            No priority{decision ? <> ({decision.source})</> : null}; risk score{" "}
            <strong>{score}</strong>
          </>
        )}
        {multipliers.length ? ", from these factors:" : "."}
      </p>
      {toxic ? (
        <div className="toxic-path">
          <p>
            <strong>Toxic combination:</strong> {toxic.value}
          </p>
          <ol aria-label="Toxic combination path">
            {toxic.source.split(" -> ").map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </div>
      ) : null}
      {multipliers.length ? (
        <table className="explanation-table">
          <caption className="sr-only">Risk factors</caption>
          <thead>
            <tr>
              <th scope="col">Factor</th>
              <th scope="col">Value</th>
              <th scope="col" className="num">
                Weight
              </th>
              <th scope="col">Source</th>
              <th scope="col">Meaning</th>
            </tr>
          </thead>
          <tbody>
            {multipliers.map((f) => (
              <tr key={`${f.factor}:${f.value}`}>
                <th scope="row">{humanize(f.factor)}</th>
                <td>{humanize(f.value)}</td>
                <td className="num">
                  {f.factor === "severity" ? "" : "×"}
                  {formatMultiplier(f.multiplier)}
                </td>
                <td className="muted">{f.source}</td>
                <td>{f.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {curve ? <p className="muted">{curve.text}</p> : null}
      {points ? <p className="muted">{points.text}</p> : null}
    </div>
  );
}

function formatMultiplier(m: number): string {
  return Number.isInteger(m) ? m.toFixed(1) : String(Math.round(m * 100) / 100);
}
