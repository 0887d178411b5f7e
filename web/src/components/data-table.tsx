// The console's list table: a flush card around a scrolling table, a caption for screen readers and the column
// headers. A column given as `{ hidden: label }` is named for screen readers only (an actions or details column).
import type { ReactNode } from 'react';

export type DataColumn = string | { hidden: string };

export function DataTable({ caption, columns, children }: { caption: string; columns: readonly DataColumn[]; children: ReactNode }) {
  return (
    <div className="card flush">
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {columns.map((column) =>
                typeof column === 'string' ? (
                  <th key={column} scope="col">
                    {column}
                  </th>
                ) : (
                  <th key={column.hidden} scope="col">
                    <span className="visually-hidden">{column.hidden}</span>
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>{children}</tbody>
        </table>
      </div>
    </div>
  );
}
