import { readFileSync } from 'node:fs';
import { LearnedElement, LearnedSets } from './dns-learned-sets';
import { NftLibrarySession } from './dns-nft-library';
import { NftSession } from './dns-nft-session';
import { DnsProxy } from './dns-proxy';
import { DnsProxyIpv6 } from './dns-proxy-ipv6';
import { DNS_NFT_TABLE, learnedElementCommands, learnedFromKernel, renderDnsRuleset } from './dns-ruleset';
import { DataPathConfig } from '../../datapath';
import { log } from '../shared/log';
import { ZonePod } from '../shared/observed-state';

/** The few kernel operations the DNS enforcement needs (LinuxKernel-free, so unit tests fake it). */
export interface DnsKernel {
  /** What `nftElements` goes through (logged when the proxy starts serving). */
  readonly elementPath?: string;
  /** One `nft -f` transaction (the table). */
  nft(script: string): Promise<void>;
  /** One transaction of element commands (the learned addresses: the hot path). */
  nftElements(commands: string[]): Promise<void>;
  /** `nft -j list table inet cdk8s_egress_dns`, or undefined without the table. */
  listTable(): Promise<string | undefined>;
  /** The proxy's address (IPv4, or IPv6 for `proxy6`) on a dummy device the agent owns (idempotent). */
  ensureProxyAddress(address: string): Promise<void>;
  /** Deletes the table if it exists (no domain rules any more, or left by an earlier configuration). */
  deleteTable(): Promise<void>;
  stop?(): void;
}

/** The dummy device that holds the proxy's address. */
const DNS_PROXY_DEVICE = 'egdns0';

/**
 * Domain rules on the node (docs/domain-names.md). Every nft operation goes through one queue, so a table
 * re-render never races an element batch; answers arriving while a batch runs join the next batch (group commit).
 * Start: seed from the kernel, render, and only then serve DNS.
 */
export class DnsEnforcer {
  public readonly learned: LearnedSets;
  private proxy?: DnsProxy;
  private proxy6?: DnsProxyIpv6;
  /** One more listener per local DNS server (NodeLocal DNSCache's): its port tells the reply's source address. */
  private readonly localProxies = new Map<number, DnsProxy>();
  private pods: ZonePod[] = [];
  private podZone = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();
  private pending: Array<{ elements: LearnedElement[]; done: (e?: unknown) => void }> = [];
  /** `set ip` → the answer whose transaction is programming it (until it commits or fails). */
  private readonly unconfirmed = new Map<string, Promise<void>>();
  private lastScript?: string;
  private lastCapLog = 0;

  constructor(private config: DataPathConfig, private readonly kernel: DnsKernel, private readonly upstreams: string[] = resolvConfNameservers()) {
    this.learned = new LearnedSets(config);
  }

  /** Called on every cluster view / configuration change (after the first complete sync). */
  public async update(config: DataPathConfig, pods: ZonePod[]): Promise<void> {
    this.config = config;
    this.pods = pods;
    this.podZone = new Map(pods.map((p) => [p.ip, p.zone]));
    if (!this.proxy) return this.start();
    await this.enqueue(() => this.render());
    await this.syncLocalProxies();
    await this.proxy6?.sync(this.config.domains!);
  }

  public stop(): void {
    this.proxy?.stop();
    this.proxy6?.stop();
    this.localProxies.forEach((p) => p.stop());
    this.localProxies.clear();
    this.kernel.stop?.();
  }

  public get stats() {
    const all = [this.proxy, this.proxy6, ...this.localProxies.values()];
    const sum = (f: (p: DnsProxy | DnsProxyIpv6) => number) => all.reduce((n, p) => n + (p ? f(p) : 0), 0);
    return { answered: sum((p) => p.answered), failed: sum((p) => p.failed), capHits: this.learned.capHits };
  }

  private async start(): Promise<void> {
    const d = this.config.domains!;
    const existing = await this.kernel.listTable();
    if (existing) this.learned.seed(learnedFromKernel(existing));
    await this.kernel.ensureProxyAddress(d.proxy.address);
    await this.enqueue(() => this.render());
    const onAnswer = (ip: string, names: string[], addrs: Array<{ ip: string; ttl: number }>) => this.onAnswer(ip, names, addrs);
    this.proxy = new DnsProxy({ address: d.proxy.address, port: d.proxy.port, upstreams: this.upstreams, onAnswer });
    await this.proxy.start();
    await this.syncLocalProxies();
    this.proxy6 = new DnsProxyIpv6((a) => this.kernel.ensureProxyAddress(a), this.upstreams, onAnswer);
    await this.proxy6.sync(d);
    const local = (d.localServers ?? []).map((l) => `${l.address}=${l.port}`);
    log('info', 'DNS proxy serving', { address: `${d.proxy.address}:${d.proxy.port}`, local, upstreams: this.upstreams, relearned: this.learned.live().length, elements: this.kernel.elementPath });
  }

  /** A listener on each local server's port, none on a port no longer named. */
  private async syncLocalProxies(): Promise<void> {
    const d = this.config.domains!;
    const want = new Set((d.localServers ?? []).map((l) => l.port));
    for (const [port, p] of this.localProxies) {
      if (!want.has(port)) {
        p.stop();
        this.localProxies.delete(port);
      }
    }
    for (const port of want) {
      if (this.localProxies.has(port)) continue;
      const onAnswer = (ip: string, names: string[], addrs: Array<{ ip: string; ttl: number }>) => this.onAnswer(ip, names, addrs);
      const p = new DnsProxy({ address: d.proxy.address, port, upstreams: this.upstreams, onAnswer });
      await p.start();
      this.localProxies.set(port, p);
    }
  }

  private async render(): Promise<void> {
    const script = renderDnsRuleset(this.config, this.pods, this.learned.live());
    if (script === this.lastScript) return;
    await this.kernel.nft(script);
    this.lastScript = undefined; // elements change without re-renders: always re-render next time
  }

  private onAnswer(podIp: string, names: string[], addresses: Array<{ ip: string; ttl: number }>): Promise<void> {
    const zone = this.podZone.get(podIp);
    if (!zone) return Promise.resolve(); // not a zone pod of this node: nothing to open
    const before = this.learned.capHits;
    const { add, covered } = this.learned.learnAnswer(zone, names, addresses);
    // A flood must not flood the log too: one line a minute, with the count since the last one.
    if (this.learned.capHits > before && Date.now() - this.lastCapLog > 60_000) {
      log('warn', 'address cap hit; extra addresses not learned', { zone, name: names[0], capHits: this.learned.capHits });
      this.lastCapLog = Date.now();
    }
    // Held already, but maybe only by an answer whose transaction has not committed yet: wait for that one too.
    const waits = [...new Set(covered.map((k) => this.unconfirmed.get(k)).filter((p): p is Promise<void> => !!p))];
    if (add.length === 0) return waits.length ? Promise.all(waits).then(() => undefined) : Promise.resolve();
    let done!: (e?: unknown) => void;
    const mine = new Promise<void>((resolve, reject) => (done = (e) => (e ? reject(e) : resolve())));
    mine.catch(() => undefined); // observed by the proxy, and here only through `unconfirmed`
    const keys = add.map((e) => `${e.set} ${e.ip}`);
    for (const k of keys) this.unconfirmed.set(k, mine);
    const settle = (e?: unknown) => {
      for (const k of keys) if (this.unconfirmed.get(k) === mine) this.unconfirmed.delete(k);
      if (e) this.learned.forget(add.filter((_, i) => !this.unconfirmed.has(keys[i])));
      done(e);
    };
    this.pending.push({ elements: add, done: settle });
    // Group commit: the first answer of a batch schedules the flush after the current I/O phase, so every answer
    // delivered meanwhile (and all that arrive while an earlier transaction runs) share one transaction.
    if (this.pending.length === 1) setImmediate(() => void this.enqueue(() => this.flush()));
    return waits.length ? Promise.all([mine, ...waits]).then(() => undefined) : mine;
  }

  /**
   * One transaction for every pending answer; each is released when the transaction holding its elements commits.
   * If it fails, each answer is tried alone, so a failure fails exactly the answers whose own elements the kernel
   * refused (the pods get SERVFAIL), never the batch's bystanders.
   */
  private async flush(): Promise<void> {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    try {
      await this.kernel.nftElements(learnedElementCommands(batch.flatMap((b) => b.elements)));
      batch.forEach((b) => b.done());
      return;
    } catch (e) {
      if (batch.length === 1) return this.failed(batch[0], e);
    }
    for (const b of batch) {
      try {
        await this.kernel.nftElements(learnedElementCommands(b.elements));
        b.done();
      } catch (e) {
        this.failed(b, e);
      }
    }
  }

  private failed(b: { done: (e?: unknown) => void }, e: unknown): void {
    log('error', 'learned addresses not programmed; the pod gets SERVFAIL', { table: DNS_NFT_TABLE, error: (e as Error).message });
    b.done(e);
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.queue.then(op);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** The agent's own resolvers (dnsPolicy ClusterFirstWithHostNet: the cluster DNS). */
function resolvConfNameservers(): string[] {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8').split('\n').map((l) => /^nameserver\s+(\S+)/.exec(l)?.[1]).filter((x): x is string => !!x);
  } catch {
    return [];
  }
}

/**
 * Where the learned elements' transactions go: libnftables in this process, or (where its FFI cannot load, or
 * asked for, as the benchmark's baseline) one long-lived `nft -i`.
 */
function elementSession(prefer: 'library' | 'nft-i'): { run(commands: string[]): Promise<void>; stop(): void } {
  if (prefer === 'library') {
    const lib = NftLibrarySession.open();
    if (typeof lib !== 'string') return lib;
    log('warn', 'libnftables not loadable; learned addresses go through nft -i (slower answers)', { reason: lib });
  }
  return new NftSession(`${DNS_NFT_TABLE}_ack`);
}

/** The real kernel: nft and ip, never through a shell. */
export function linuxDnsKernel(run: (argv: string[], stdin?: string) => Promise<string>, elements: 'library' | 'nft-i' = 'library'): DnsKernel {
  // Opened on first use: a node without domain rules never loads the library (nor warns that it cannot).
  let opened: ReturnType<typeof elementSession> | undefined;
  const session = () => (opened ??= elementSession(elements));
  return {
    get elementPath() {
      return session() instanceof NftLibrarySession ? 'libnftables' : 'nft -i';
    },
    nft: async (script) => { await run(['nft', '-f', '-'], script); },
    nftElements: (commands) => session().run(commands),
    deleteTable: async () => {
      await run(['nft', 'delete', 'table', 'inet', DNS_NFT_TABLE]).catch((e: Error) => {
        if (!/No such file or directory/.test(e.message)) throw e;
      });
    },
    stop: () => opened?.stop(),
    listTable: () => run(['nft', '-j', 'list', 'table', 'inet', DNS_NFT_TABLE]).catch(() => undefined),
    ensureProxyAddress: async (address) => {
      // Kernel quirk: some kernels are built without the dummy driver ("Unknown device type"); the address then
      // goes on lo, where it is just as local (a /32 no one else uses).
      const made = await run(['ip', 'link', 'add', DNS_PROXY_DEVICE, 'type', 'dummy']).then(() => true, (e: Error) => /File exists/.test(e.message));
      const dev = made ? DNS_PROXY_DEVICE : 'lo';
      // IPv6 (domains.proxy6): a /128, usable at once (no duplicate address detection on an address no one else has).
      await run(['ip', 'addr', 'replace', ...address.includes(':') ? [`${address}/128`, 'dev', dev, 'nodad'] : [`${address}/32`, 'dev', dev]]);
      await run(['ip', 'link', 'set', dev, 'up']);
    },
  };
}
