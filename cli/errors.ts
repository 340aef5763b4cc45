/** An error the CLI reports as `code: message` on stderr, exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Wrong use of the command line: exit 2. */
export const usageError = (message: string) => new CliError("usage", message, 2);
