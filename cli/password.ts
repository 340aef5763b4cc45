import { CliError, usageError } from "./errors";

/** All of standard input, without the one trailing newline `echo` or a heredoc adds. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** Asks on the terminal with echo off (raw mode): nothing typed is shown or kept in scrollback. */
function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (fn: () => void) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      fn();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return finish(() => resolve(value));
        if (ch === "\u0003") return finish(() => reject(new CliError("cancelled", "Cancelled", 130)));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

export async function readPassword(opts: { fromStdin: boolean }): Promise<string> {
  if (opts.fromStdin) return readStdin();
  if (!process.stdin.isTTY) throw usageError("No terminal to ask for the password on: pipe it in with --password-stdin");
  const first = await askHidden("Password: ");
  const second = await askHidden("Password again: ");
  if (first !== second) throw new CliError("validation_failed", "The two passwords differ");
  return first;
}
