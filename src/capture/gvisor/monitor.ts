import { SeqpacketServer, type SeqpacketSocket } from 'node-unix-socket';
import { decodeHandshake, HANDSHAKE_REPLY } from './frames.js';

/** Lowest monitoring protocol version this monitor understands. */
export const MIN_PROTOCOL_VERSION = 1;

/** What a MonitorServer reports through its callbacks. */
export interface MonitorHandlers {
  /** One message packet (header + payload), after the handshake. */
  packet(p: Buffer): void;
  /** A connection ended (the sandbox exited). */
  end(): void;
  /** A handshake or socket failure; the connection is closed. */
  error(err: Error): void;
}

/**
 * Listens on a SOCK_SEQPACKET Unix socket for runsc's monitoring connection, answers the handshake
 * and hands every later packet to `handlers.packet`. One connection per sandbox is expected.
 */
export class MonitorServer {
  private server = new SeqpacketServer();
  private conns = new Set<SeqpacketSocket>();
  private ended: Promise<void>;
  private resolveEnded!: () => void;
  /** Protocol version runsc announced, once connected. */
  version?: number;
  /** Whether a sandbox connected at all. */
  connected = false;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly handlers: MonitorHandlers,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.server.on('connection', (sock: SeqpacketSocket) => this.accept(sock));
    this.server.on('error', (err: Error) => handlers.error(err));
    this.server.listen(path, 4);
  }

  private accept(sock: SeqpacketSocket): void {
    this.connected = true;
    this.conns.add(sock);
    sock.setInternalReadBufferSize(1 << 20);
    let greeted = false;
    sock.on('data', (buf: Buffer) => {
      if (greeted) {
        this.handlers.packet(buf);
        return;
      }
      greeted = true;
      try {
        this.version = decodeHandshake(buf);
        if (this.version < MIN_PROTOCOL_VERSION) throw new Error(`runsc announced monitoring protocol ${this.version}, below ${MIN_PROTOCOL_VERSION}`);
        sock.write(HANDSHAKE_REPLY);
      } catch (err) {
        this.handlers.error(err as Error);
        setImmediate(() => this.drop(sock));
      }
    });
    const done = (): void => {
      if (!this.conns.delete(sock)) return;
      this.handlers.end();
      this.resolveEnded();
    };
    sock.on('end', done);
    sock.on('close', done);
    sock.on('error', (err: Error) => {
      this.handlers.error(err);
      done();
    });
  }

  /** Resolves once a connection has ended (immediately usable after the sandbox exits). */
  whenEnded(): Promise<void> {
    return this.ended;
  }

  private drop(sock: SeqpacketSocket): void {
    if (!this.conns.delete(sock)) return;
    sock.destroy();
    this.handlers.end();
    this.resolveEnded();
  }

  /** Stops listening and closes any connection left. */
  close(): void {
    for (const c of [...this.conns]) this.drop(c);
    if (this.closed) return;
    this.closed = true;
    this.server.close();
  }
}
