import type { SchemaRiskFactorRead } from "../../api/generated/schema";
import { humanize } from "../../lib/format";

/** "Why P1": each factor of the score with its value, multiplier and where the value came from. */
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
  return (
    <div className="explanation">
      <p>
        Risk score <strong>{score}</strong>
        {priority ? (
          <>
            {" "}
            puts this finding at <strong>{priority}</strong>
          </>
        ) : (
          " is below every priority threshold"
        )}
        {factors.length ? ", from these factors:" : "."}
      </p>
      {factors.length ? (
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
            {factors.map((f) => (
              <tr key={`${f.factor}:${f.value}`}>
                <th scope="row">{humanize(f.factor)}</th>
                <td>{humanize(f.value)}</td>
                <td className="num">×{formatMultiplier(f.multiplier)}</td>
                <td className="muted">{f.source}</td>
                <td>{f.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function formatMultiplier(m: number): string {
  return Number.isInteger(m) ? m.toFixed(1) : String(Math.round(m * 100) / 100);
}
