import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';

/** A figures table as rows of cells: the header's texts, then each cell's value. */
export function tableRows(table: {
  head: readonly { text: string }[];
  rows: readonly (readonly { value: string | number }[])[];
}): (string | number)[][] {
  return [table.head.map((h) => h.text), ...table.rows.map((row) => row.map((cell) => cell.value))];
}

/**
 * Answers with a CSV file to download: a byte-order mark so spreadsheets read it as UTF-8, and cells
 * that look like formulas escaped so a spreadsheet never runs them. Never cached: figures change.
 */
export function sendCsv(
  reply: FastifyReply,
  fileName: string,
  rows: readonly (readonly (string | number)[])[],
) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .send(stringify(rows as (string | number)[][], { bom: true, escape_formulas: true }));
}
