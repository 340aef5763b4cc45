import "server-only";
import { StringDecoder } from "node:string_decoder";

export type Stream = "stdout" | "stderr" | "system";
export interface OutputLine {
  stream: Stream;
  text: string;
  at: number;
}

// CSI / OSC escape sequences: colours and cursor moves mean nothing in a stored log.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function cleanLine(raw: string): string {
  let s = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  // A bare carriage return redraws the line (progress bars): keep what was drawn last.
  const cr = s.lastIndexOf("\r");
  if (cr >= 0) s = s.slice(cr + 1);
  return s.replace(ANSI, "").replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "");
}

/**
 * Turns a byte stream into lines (UTF-8 safe across chunk boundaries), cleaned and cut to
 * `maxChars`. A partial line is held until its newline, or given out by `end()`.
 */
export class LineSplitter {
  private decoder = new StringDecoder("utf8");
  private partial = "";

  constructor(
    private stream: Stream,
    private emit: (line: OutputLine) => void,
    private maxChars: number,
  ) {}

  write(chunk: Buffer | string) {
    this.partial += typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    let nl: number;
    while ((nl = this.partial.indexOf("\n")) >= 0) {
      this.line(this.partial.slice(0, nl));
      this.partial = this.partial.slice(nl + 1);
    }
    // A very long line without a newline: give it out in pieces rather than hold it all.
    while (this.partial.length > this.maxChars * 4) {
      this.line(this.partial.slice(0, this.maxChars));
      this.partial = this.partial.slice(this.maxChars);
    }
  }

  end() {
    this.partial += this.decoder.end();
    if (this.partial) this.line(this.partial);
    this.partial = "";
  }

  private line(raw: string) {
    const text = cleanLine(raw);
    const at = Date.now();
    if (text.length <= this.maxChars) {
      this.emit({ stream: this.stream, text, at });
      return;
    }
    for (let i = 0; i < text.length; i += this.maxChars) this.emit({ stream: this.stream, text: text.slice(i, i + this.maxChars), at });
  }
}
