import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeHandshake, FrameError, HANDSHAKE_REPLY, MonitorConverter, readFrameFile, sessionConfig, sessionPoints, timeBase } from '../../../src/capture/gvisor/index.js';
import { gvType } from '../../../src/capture/gvisor/proto.js';
import { CallFlags, type CallEvent, type NewEvent } from '../../../src/model/index.js';
import { ROOT } from '../../helpers/cli.js';

const FIXTURES = path.join(ROOT, 'traces', 'gvisor');

function convert(file: string): { events: NewEvent[]; conv: MonitorConverter } {
  const frames = [...readFrameFile(path.join(FIXTURES, file))].map((f) => decodeFrame(f.packet));
  const first = frames[0].msg as { context: { timeNs: bigint | number } };
  const conv = new MonitorConverter({ startTimeNs: BigInt(first.context.timeNs), env: false, initialPath: '/usr/bin/x' });
  const events = frames.flatMap((f) => conv.push(f));
  events.push(...conv.finish());
  return { events, conv };
}
const calls = (evs: NewEvent[]) => evs.filter((e): e is Omit<CallEvent, 'seq'> => e.kind === 'call');

describe('gVisor monitoring frames (captured from runsc 20221219)', () => {
  it('decodes every packet of a captured session with a known message type', () => {
    const frames = [...readFrameFile(path.join(FIXTURES, 'cat-hostname.frames'))].map((f) => decodeFrame(f.packet));
    expect(frames.length).toBeGreaterThan(50);
    expect(frames.every((f) => f.spec !== undefined)).toBe(true);
    expect(frames[0].spec?.name).toBe('container/start');
    expect((frames[0].msg as { args: string[] }).args).toEqual(['cat', '/etc/hostname']);
    expect(frames.every((f) => f.dropped === 0)).toBe(true);
    const raw = frames.filter((f) => f.spec?.kind === 'raw');
    expect(raw.length).toBeGreaterThan(40);
  });

  it('pairs raw enter/exit points into calls with native errno convention and schematized paths', () => {
    const { events, conv } = convert('cat-hostname.frames');
    expect(conv.unknownMessages).toBe(0);
    expect(events[0]).toMatchObject({ kind: 'start', isRoot: true, pid: 1 });
    expect(events[1]).toMatchObject({ kind: 'exec', path: '/usr/bin/x', argv: ['cat', '/etc/hostname'] });
    const cs = calls(events);
    const open = cs.find((c) => c.name === 'openat' && c.args[1]?.k === 'str' && c.args[1].v === '/etc/hostname');
    expect(open).toBeDefined();
    expect(open!.retval).toBeGreaterThanOrEqual(3);
    const read = cs.find((c) => c.name === 'read' && c.args[0]?.k === 'fd' && c.args[0].path === '/etc/hostname');
    expect(read?.retval).toBeGreaterThan(0);
    const rseq = cs.find((c) => c.name === 'rseq');
    expect(rseq).toMatchObject({ retval: -1, errno: 38 });
    const enoent = cs.find((c) => c.name === 'access' && c.errno === 2);
    expect(enoent?.retval).toBe(-1);
    const exitGroup = cs.find((c) => c.name === 'exit_group');
    expect(exitGroup!.flags & CallFlags.noReturn).toBeTruthy();
    expect(cs.every((c) => !(c.flags & CallFlags.unfinished))).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: 'exit', status: 0, threadOnly: false });
  });

  it('turns clone, execve and task-exit points into process lifecycle events', () => {
    const { events } = convert('sh-pipe.frames');
    const starts = events.filter((e) => e.kind === 'start');
    expect(starts.length).toBeGreaterThanOrEqual(2);
    expect(starts.filter((s) => s.kind === 'start' && !s.isRoot).every((s) => s.kind === 'start' && s.parentPid === 1)).toBe(true);
    const execs = events.filter((e) => e.kind === 'exec');
    expect(execs.some((e) => e.kind === 'exec' && e.path === '/usr/bin/wc' && e.argv.join(' ') === 'wc -c')).toBe(true);
    expect(execs.every((e) => e.kind === 'exec' && e.env.every((v) => v.value === ''))).toBe(true);
    const rootExit = events.find((e) => e.kind === 'exit' && e.pid === 1);
    expect(rootExit).toMatchObject({ status: 3 });
    const execve = calls(events).find((c) => c.name === 'execve');
    expect(execve?.args[1]).toMatchObject({ k: 'array' });
    const idx = events.indexOf(execve as NewEvent);
    expect(events[idx + 1]).toMatchObject({ kind: 'exec', path: '/usr/bin/wc' });
    const pipe = calls(events).find((c) => c.name === 'pipe2' || c.name === 'pipe');
    expect(pipe?.args[0]).toMatchObject({ k: 'array' });
  });

  it('decodes raw syscall frames on the fast path exactly as the protobuf schema does', () => {
    const raw = gvType('RawSyscall');
    const packets = [...readFrameFile(path.join(FIXTURES, 'sh-pipe.frames'))].filter((f) => f.packet.readUInt16LE(2) === 6);
    expect(packets.length).toBeGreaterThan(100);
    for (const { packet } of packets) {
      const viaSchema = raw.toObject(raw.decode(packet.subarray(8))) as Record<string, unknown>;
      expect(decodeFrame(packet).msg).toEqual(viaSchema);
    }
    const start = (decodeFrame(packets[0].packet).msg as { context: { timeNs: bigint } }).context.timeNs;
    const withBase = decodeFrame(packets[5].packet, timeBase(start)).msg as { context: { relNs: number } };
    const plain = decodeFrame(packets[5].packet).msg as { context: { timeNs: bigint } };
    expect(withBase.context.relNs).toBe(Number(plain.context.timeNs - start));
    expect(() => decodeFrame(Buffer.concat([packets[0].packet, Buffer.from([0x28])]))).toThrow(FrameError);
  });

  it('keeps an fd table per process: paths of opens (relative ones against the cwd from chdir), dups and closes', () => {
    const frame = (type: number, typeName: string, msg: object) => {
      const body = Buffer.from(gvType(typeName).encode(gvType(typeName).fromObject(msg)).finish());
      const hdr = Buffer.from([8, 0, type, 0, 0, 0, 0, 0]);
      return decodeFrame(Buffer.concat([hdr, body]));
    };
    const ctx = { threadId: 1, threadGroupId: 1 };
    const call = (sysno: number, args: number[], result: number, detail?: [number, string, object]) => {
      const raw = { context: ctx, sysno, ...Object.fromEntries(args.map((a, i) => [`arg${i + 1}`, a])) };
      const out = [frame(6, 'RawSyscall', raw)];
      if (detail) out.push(frame(detail[0], detail[1], { context: ctx, sysno, ...detail[2] }));
      out.push(frame(6, 'RawSyscall', { ...raw, exit: { result } }));
      return out;
    };
    const frames = [
      frame(1, 'ContainerStart', { context: ctx, id: 'c', cwd: '/srv', args: ['x'] }),
      ...call(80, [0], 0, [13, 'Chdir', { pathname: 'data' }]),
      ...call(257, [0xffffff9c, 0], 3, [7, 'Open', { fd: -100, pathname: 'a/../b.txt' }]),
      ...call(0, [3, 0, 10], 10),
      ...call(32, [3], 4),
      ...call(0, [4, 0, 10], 10),
      ...call(3, [3], 0),
      ...call(0, [3, 0, 10], -9),
    ];
    const conv = new MonitorConverter({ startTimeNs: 0n, env: false });
    const cs = calls(frames.flatMap((f) => conv.push(f)));
    const fdOf = (c: Omit<CallEvent, 'seq'>) => c.args[0];
    expect(cs.map((c) => c.name)).toEqual(['chdir', 'openat', 'read', 'dup', 'read', 'close', 'read']);
    expect(fdOf(cs[2])).toEqual({ k: 'fd', fd: 3, path: '/srv/data/b.txt' });
    expect(fdOf(cs[4])).toEqual({ k: 'fd', fd: 4, path: '/srv/data/b.txt' });
    expect(fdOf(cs[5])).toEqual({ k: 'fd', fd: 3, path: '/srv/data/b.txt' });
    expect(fdOf(cs[6])).toEqual({ k: 'fd', fd: 3 });
  });

  it('counts unknown message types and skips them; rejects packets too short for their header', () => {
    const conv = new MonitorConverter({ startTimeNs: 0n, env: false });
    const unknown = Buffer.from([8, 0, 200, 0, 0, 0, 0, 0, 1, 2, 3]);
    expect(conv.push(decodeFrame(unknown))).toEqual([]);
    expect(conv.unknownMessages).toBe(1);
    expect(() => decodeFrame(Buffer.from([8, 0]))).toThrow(FrameError);
    expect(() => decodeFrame(Buffer.from([40, 0, 6, 0, 0, 0, 0, 0]))).toThrow(/header size 40/);
  });

  it('tracks the cumulative dropped count across 32-bit wrap-around', () => {
    const conv = new MonitorConverter({ startTimeNs: 0n, env: false });
    const pkt = (dropped: number) => {
      const b = Buffer.from([8, 0, 5, 0, 0, 0, 0, 0]);
      b.writeUInt32LE(dropped, 4);
      return decodeFrame(b);
    };
    conv.push(pkt(10));
    expect(conv.dropped).toBe(10);
    conv.push(pkt(0xfffffff0));
    conv.push(pkt(5));
    expect(conv.dropped).toBe(2 ** 32 + 5);
  });

  it('speaks the version-1 handshake', () => {
    expect(decodeHandshake(Buffer.from([8, 1]))).toBe(1);
    expect(decodeHandshake(HANDSHAKE_REPLY)).toBe(1);
    expect(() => decodeHandshake(Buffer.from([8]))).toThrow(FrameError);
  });
});

describe('monitoring session config', () => {
  it('enables raw enter and exit points for every syscall number, lifecycle points, and a retrying remote sink', () => {
    const pts = sessionPoints({ env: false }).map((p) => p.name);
    for (const n of [0, 59, 231, 334, 441]) {
      expect(pts).toContain(`syscall/sysno/${n}/enter`);
      expect(pts).toContain(`syscall/sysno/${n}/exit`);
    }
    expect(pts).toEqual(expect.arrayContaining(['container/start', 'sentry/clone', 'sentry/execve', 'sentry/task_exit', 'syscall/openat/enter']));
    const cfg = sessionConfig({ endpoint: '/x.sock', env: false }) as { trace_session: { name: string; sinks: { config: { retries: number } }[] } };
    expect(cfg.trace_session.name).toBe('Default');
    expect(cfg.trace_session.sinks[0].config.retries).toBeGreaterThan(0);
  });

  it('names only points and fields that this runsc knows (runsc trace metadata)', () => {
    const r = spawnSync('runsc', ['trace', 'metadata'], { encoding: 'utf8' });
    expect(r.status, 'runsc is installed by .ci/run').toBe(0);
    const known = new Map<string, string>();
    for (const line of r.stdout.split('\n')) {
      const m = /^Name: (\S+), optional fields: \[([^\]]*)\]/.exec(line);
      if (m) known.set(m[1], m[2]);
    }
    for (const p of sessionPoints({ env: true })) {
      expect(known.has(p.name), p.name).toBe(true);
      for (const f of p.optional_fields ?? []) expect(known.get(p.name)!.split('|'), `${p.name} ${f}`).toContain(f);
    }
  });
});
