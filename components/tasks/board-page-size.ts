/**
 * Cards per board column, first page (the column's "Load more" fetches the next): the board page
 * renders five columns of these on the server, and the live refetch asks for the same number. 20
 * fill a tall screen; 50 made the board's HTML 1.2 MB and its server render a third of a second
 * before the first byte (docs/benchmarks.md).
 */
export const BOARD_COLUMN_PAGE = 20;
