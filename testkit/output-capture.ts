// A stand-in for stdout/stderr that keeps everything written to it, as a terminal (isTTY) or a
// pipe. `columns` stays undefined unless given, so output code takes its own default width.
export class OutputCapture {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns?: number,
  ) {}
  write(chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }
}
