import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { parseDnsMessage, resolveChain, servfailFor } from './dns-message';

/**
 * What the proxy does with an upstream answer before the pod may see it: learn (program the kernel) and resolve
 * when that is done. A rejection makes the pod get SERVFAIL instead of an answer whose addresses are closed.
 */
export type AnswerHook = (podIp: string, names: string[], addresses: Array<{ ip: string; ttl: number }>) => Promise<void>;

export interface DnsProxyOptions {
  readonly address: string;
  readonly port: number;
  /** Upstream DNS servers (host:port or an address, port 53), tried in order on failure. */
  readonly upstreams: string[];
  readonly onAnswer: AnswerHook;
  readonly timeoutMs?: number;
  /** Queries waiting for an upstream at once; beyond, SERVFAIL at once (a flood costs bounded memory). */
  readonly maxInFlight?: number;
}

/**
 * The node agent's DNS proxy: UDP and TCP (2-byte length framing), the upstream's bytes passed on unchanged, and
 * an answer held until `onAnswer` has programmed its addresses. A truncated UDP answer is passed on with TC set
 * (its records are learned too): the pod's resolver retries over TCP, where the whole answer is parsed.
 */
export class DnsProxy {
  public inFlight = 0;
  public answered = 0;
  public failed = 0;
  private udp?: dgram.Socket;
  private tcp?: net.Server;

  constructor(private readonly opts: DnsProxyOptions) {}

  public async start(): Promise<void> {
    this.udp = dgram.createSocket(this.opts.address.includes(':') ? 'udp6' : 'udp4');
    this.udp.on('message', (msg, rinfo) => void this.query(msg, rinfo.address, 'udp').then((reply) => {
      if (reply.length) this.udp?.send(reply, rinfo.port, rinfo.address);
    }));
    await new Promise<void>((res, rej) => { this.udp!.once('error', rej); this.udp!.bind(this.opts.port, this.opts.address, () => res()); });
    this.tcp = net.createServer((sock) => this.serveTcp(sock));
    await new Promise<void>((res, rej) => { this.tcp!.once('error', rej); this.tcp!.listen(this.opts.port, this.opts.address, () => res()); });
  }

  public stop(): void {
    this.udp?.close();
    this.tcp?.close();
  }

  private serveTcp(sock: net.Socket): void {
    let buf = Buffer.alloc(0);
    let chain = Promise.resolve();
    sock.on('error', () => sock.destroy());
    sock.setTimeout(30_000, () => sock.destroy());
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        chain = chain.then(() => this.query(Buffer.from(msg), sock.remoteAddress!.replace(/^::ffff:/, ''), 'tcp')).then((reply) => {
          if (!reply.length || sock.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          sock.write(Buffer.concat([len, reply]));
        });
      }
      if (buf.length > 70_000) sock.destroy();
    });
  }

  /** One query: forward, learn, answer; never throws (SERVFAIL instead). */
  private async query(msg: Buffer, podIp: string, proto: 'udp' | 'tcp'): Promise<Buffer> {
    if (this.inFlight >= (this.opts.maxInFlight ?? 4096)) {
      this.failed++;
      return servfailFor(msg);
    }
    this.inFlight++;
    try {
      let lastErr: unknown;
      for (const upstream of this.opts.upstreams) {
        try {
          const reply = await (proto === 'udp' ? this.askUdp(msg, upstream) : this.askTcp(msg, upstream));
          const answer = parseDnsMessage(reply);
          if (answer.question !== undefined && answer.records.length > 0) {
            const chain = resolveChain(answer.records, answer.question);
            await this.opts.onAnswer(podIp, chain.names, chain.addresses);
          }
          this.answered++;
          return reply;
        } catch (e) {
          lastErr = e;
        }
      }
      throw lastErr ?? new Error('no upstream');
    } catch {
      this.failed++;
      return servfailFor(msg);
    } finally {
      this.inFlight--;
    }
  }

  private askUdp(msg: Buffer, upstream: string): Promise<Buffer> {
    const [host, port] = hostPort(upstream);
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      const timer = setTimeout(() => { s.close(); reject(new Error('upstream timeout')); }, this.opts.timeoutMs ?? 2000);
      s.on('error', (e) => { clearTimeout(timer); s.close(); reject(e); });
      s.on('message', (reply) => {
        // Only the answer to this query (same id): a stray datagram is no answer.
        if (reply.length < 2 || reply.readUInt16BE(0) !== msg.readUInt16BE(0)) return;
        clearTimeout(timer);
        s.close();
        resolve(reply);
      });
      s.send(msg, port, host);
    });
  }

  private askTcp(msg: Buffer, upstream: string): Promise<Buffer> {
    const [host, port] = hostPort(upstream);
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host);
      let buf = Buffer.alloc(0);
      s.setTimeout(this.opts.timeoutMs ?? 2000, () => { s.destroy(); reject(new Error('upstream timeout')); });
      s.on('error', reject);
      s.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(msg.length);
        s.write(Buffer.concat([len, msg]));
      });
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          s.destroy();
          resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        }
      });
    });
  }
}

function hostPort(s: string): [string, number] {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(s.includes('.') && s.split(':').length === 2 ? s : s.includes(']') ? s : `[${s}]`);
  return [m![1], Number(m![2] ?? 53)];
}
