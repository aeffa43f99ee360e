import { AnswerHook, DnsProxy } from './dns-proxy';
import { DomainEnforcementConfig } from '../../datapath';
import { log } from '../shared/log';

/**
 * The DNS proxy's IPv6 listener (`domains.proxy6`, docs/domain-names.md): the same proxy on the IPv6 address the
 * table DNATs zone pods' IPv6 queries to. Started, moved or stopped as the configuration says. A node that cannot
 * hold the address (IPv6 disabled) logs it and keeps enforcing IPv4: IPv6 queries then get no answer (closed).
 */
export class DnsProxyIpv6 {
  private proxy?: DnsProxy;
  private address?: string;

  constructor(private readonly ensureAddress: (address: string) => Promise<void>, private readonly upstreams: string[],
    private readonly onAnswer: AnswerHook) {}

  public get answered(): number { return this.proxy?.answered ?? 0; }
  public get failed(): number { return this.proxy?.failed ?? 0; }

  public async sync(d: DomainEnforcementConfig): Promise<void> {
    const want = d.proxy6 ? `[${d.proxy6.address}]:${d.proxy.port}` : undefined;
    if (want === this.address) return;
    this.stop();
    if (!d.proxy6) return;
    try {
      await this.ensureAddress(d.proxy6.address);
      const p = new DnsProxy({ address: d.proxy6.address, port: d.proxy.port, upstreams: this.upstreams, onAnswer: this.onAnswer });
      await p.start();
      [this.proxy, this.address] = [p, want];
      log('info', 'DNS proxy serving IPv6', { address: want });
    } catch (e) {
      log('error', 'DNS proxy not serving IPv6; zone pods\' IPv6 lookups get no answer', { address: want, error: (e as Error).message });
    }
  }

  public stop(): void {
    this.proxy?.stop();
    this.proxy = undefined;
    this.address = undefined;
  }
}
