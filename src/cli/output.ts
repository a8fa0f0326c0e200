/** Writes lines to stdout in batches, waiting for the pipe to drain so memory stays bounded. */
export async function writeLines(lines: Iterable<string>, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  let batch: string[] = [];
  let size = 0;
  for (const line of lines) {
    batch.push(line);
    size += line.length;
    if (size >= 1 << 16) {
      if (!out.write(`${batch.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      batch = [];
      size = 0;
    }
  }
  if (batch.length) out.write(`${batch.join('\n')}\n`);
}
