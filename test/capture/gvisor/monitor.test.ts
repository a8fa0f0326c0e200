import path from 'node:path';
import { SeqpacketSocket } from 'node-unix-socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonitorServer } from '../../../src/capture/gvisor/monitor.js';
import { tempDir } from '../../helpers/cli.js';

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => (tmp = tempDir()));
afterAll(() => tmp.cleanup());

function connect(sock: string): Promise<SeqpacketSocket> {
  return new Promise((resolve) => {
    const c = new SeqpacketSocket();
    c.connect(sock, () => resolve(c));
  });
}

describe('MonitorServer (SOCK_SEQPACKET)', () => {
  it('answers the version handshake, then hands over each packet whole, and reports the end', async () => {
    const sock = path.join(tmp.dir, 'ok.sock');
    const packets: Buffer[] = [];
    let ended!: () => void;
    const end = new Promise<void>((r) => (ended = r));
    const server = new MonitorServer(sock, { packet: (p) => packets.push(Buffer.from(p)), end: () => ended(), error: (e) => expect.fail(e.message) });
    const c = await connect(sock);
    const reply = new Promise<Buffer>((r) => c.once('data', (b: Buffer) => r(Buffer.from(b))));
    c.write(Buffer.from([0x08, 0x01]));
    expect([...(await reply)]).toEqual([0x08, 0x01]);
    const big = Buffer.alloc(70_000, 7);
    c.write(Buffer.from([8, 0, 6, 0, 0, 0, 0, 0]));
    c.write(big);
    c.end();
    await end;
    expect(server.version).toBe(1);
    expect(server.connected).toBe(true);
    expect(packets.map((p) => p.length)).toEqual([8, 70_000]);
    server.close();
    server.close();
  });

  it('refuses a handshake below protocol version 1 and closes the connection', async () => {
    const sock = path.join(tmp.dir, 'old.sock');
    const errors: Error[] = [];
    const server = new MonitorServer(sock, { packet: () => undefined, end: () => undefined, error: (e) => errors.push(e) });
    const c = await connect(sock);
    const closed = new Promise<void>((r) => c.once('end', () => r()));
    c.write(Buffer.from([0x08, 0x00]));
    await closed;
    expect(errors[0]?.message).toMatch(/protocol 0, below 1/);
    server.close();
  });
});
