import type { ReactNode } from "react";

/** A column heading: its text, or its text and a class ("num" right-aligns a count). */
export type Column = string | { label: string; className?: string };

/** The table of a list: a caption for screen readers, the column headings and, with `actions`,
 * a last column for each row's buttons whose heading only screen readers hear (`actions` is that
 * heading, "Actions" when true). The caller renders the rows. It scrolls sideways on a narrow
 * screen unless `scroll` is false. */
export function DataTable({
  caption,
  columns,
  actions = false,
  testId,
  scroll = true,
  children,
}: {
  caption: string;
  columns: Column[];
  actions?: boolean | string;
  testId?: string;
  scroll?: boolean;
  children: ReactNode;
}) {
  const table = (
    <table className="data-table" data-testid={testId}>
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => {
            const { label, className } = typeof column === "string" ? { label: column } : column;
            return (
              <th key={label} scope="col" className={className}>
                {label}
              </th>
            );
          })}
          {actions ? (
            <th scope="col">
              <span className="sr-only">{actions === true ? "Actions" : actions}</span>
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  return scroll ? <div className="table-scroll">{table}</div> : table;
}
