/**
 * A minimal WebSocket client (RFC 6455) over node:http's upgrade, for the DevTools protocol:
 * text messages both ways, fragments reassembled, pings answered. Node 20 has no global
 * WebSocket (Node 22 has), and the project adds no dependency for a test; what Chromium's
 * DevTools endpoint sends needs no more than this (no extensions, no subprotocols).
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

export class WebSocketClient {
  onMessage: (text: string) => void = () => {};
  onClose: () => void = () => {};
  private pending = Buffer.alloc(0);
  private fragments: Buffer[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.onClose());
    socket.on('error', () => {});   // a browser closing its end; onClose follows
  }

  /** Opens `ws://host:port/path` and completes the handshake, checking the server's accept key. */
  static connect(url: string): Promise<WebSocketClient> {
    const { hostname, port, pathname, search } = new URL(url);
    const key = randomBytes(16).toString('base64');
    return new Promise((resolve, reject) => {
      const req = request({
        hostname, port, path: pathname + search,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
      });
      req.on('upgrade', (res, socket, head) => {
        const expected = createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
        if (res.headers['sec-websocket-accept'] !== expected) {
          socket.destroy();
          reject(new Error(`${url}: bad Sec-WebSocket-Accept`));
          return;
        }
        const client = new WebSocketClient(socket);
        if (head.length > 0) client.receive(head);
        resolve(client);
      });
      req.on('response', (res) => reject(new Error(`${url}: HTTP ${res.statusCode}, not an upgrade`)));
      req.on('error', reject);
      req.end();
    });
  }

  send(text: string): void {
    this.frame(OP.text, Buffer.from(text, 'utf8'));
  }

  close(): void {
    this.frame(OP.close, Buffer.alloc(0));
    this.socket.end();
  }

  /** A client's frames are masked (the RFC requires it); FIN set, never fragmented. */
  private frame(opcode: number, payload: Buffer): void {
    const length = payload.length;
    const header = length < 126 ? Buffer.alloc(2) : length < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    if (length < 126) header[1] = 0x80 | length;
    else if (length < 0x10000) { header[1] = 0x80 | 126; header.writeUInt16BE(length, 2); }
    else { header[1] = 0x80 | 127; header.writeBigUInt64BE(BigInt(length), 2); }
    const mask = randomBytes(4);
    const masked = Buffer.alloc(length);
    for (let i = 0; i < length; i++) masked[i] = payload[i] ^ mask[i & 3];
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  /** Parses every complete frame buffered so far; a partial one waits for more data. */
  private receive(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const buf = this.pending;
      if (buf.length < 2) return;
      const fin = (buf[0] & 0x80) !== 0;
      const opcode = buf[0] & 0x0f;
      if (buf[1] & 0x80) {   // RFC 6455 5.1: a server never masks; the stream cannot be trusted
        this.socket.destroy();
        return;
      }
      let length = buf[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buf.length < 4) return;
        length = buf.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buf.length < 10) return;
        length = Number(buf.readBigUInt64BE(2));
        offset = 10;
      }
      if (buf.length < offset + length) return;
      const payload = buf.subarray(offset, offset + length);
      this.pending = buf.subarray(offset + length);
      this.dispatch(opcode, fin, payload);
    }
  }

  private dispatch(opcode: number, fin: boolean, payload: Buffer): void {
    switch (opcode) {
      case OP.text: case OP.binary: case OP.continuation:
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const message = Buffer.concat(this.fragments).toString('utf8');
          this.fragments = [];
          this.onMessage(message);
        }
        return;
      case OP.ping: this.frame(OP.pong, payload); return;
      case OP.close: this.socket.end(); return;
      default: return;   // pong, or a reserved opcode: nothing to do
    }
  }
}
