import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pumpFifo } from '../../../src/capture/native/fifo.js';
import { tempDir } from '../../helpers/cli.js';

describe('pumpFifo', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir()));
  afterAll(() => cleanup());
  const fifo = (name: string) => {
    const p = path.join(dir, name);
    expect(spawnSync('mkfifo', [p]).status).toBe(0);
    return p;
  };

  it('delivers everything a writer sends, in order, and ends when it closes', async () => {
    const f = fifo('a');
    let text = '';
    const pump = pumpFifo(f, (b) => (text += b.toString('latin1')));
    const w = spawn('sh', ['-c', `for i in $(seq 1 2000); do echo "line $i"; done > ${f}`]);
    await new Promise((r) => w.on('close', r));
    pump.stop();
    await pump.done;
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2000);
    expect(lines[1999]).toBe('line 2000');
  });

  it('ends once stopped when no writer ever came', async () => {
    const pump = pumpFifo(fifo('b'), () => undefined);
    await new Promise((r) => setTimeout(r, 50));
    pump.stop();
    await expect(pump.done).resolves.toBeUndefined();
  });

  it('rejects with the error a consumer throws', async () => {
    const f = fifo('c');
    const pump = pumpFifo(f, () => {
      throw new Error('consumer failed');
    });
    spawn('sh', ['-c', `echo x > ${f}`]);
    await expect(pump.done).rejects.toThrow('consumer failed');
  });
});
