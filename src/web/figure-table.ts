/** A table cell: the text for the page and the value for the CSV file. */
export type Cell = { text: string; value: string | number };

/** A table of figures behind a chart, as the page shows it and its CSV file holds it. */
export type Table = {
  caption: string;
  head: { text: string; numeric: boolean }[];
  /** The first cell of each row names it. */
  rows: Cell[][];
};

/** A table a page offers as a CSV download by `name`. */
export type FigureTable<Name extends string = string> = Table & { name: Name };
