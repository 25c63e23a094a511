// Collects everything RIE and the runtime print (stdout and stderr, interleaved as received).
import type { Readable } from 'node:stream';

export class LogBuffer {
  private text = '';

  attach(stream: Readable | null): void {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      this.text += chunk;
    });
  }

  note(line: string): void {
    this.text += `[rig] ${line}\n`;
  }

  all(): string {
    return this.text;
  }

  mark(): number {
    return this.text.length;
  }

  since(mark: number): string {
    return this.text.slice(mark);
  }
}
