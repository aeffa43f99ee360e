import { Port } from '../../src/model/port';
import { Protocol } from '../../src/model/protocol';

describe('Protocol', () => {
  test.each([
    ['TCP', 6, true], ['UDP', 17, true], ['SCTP', 132, true], ['UDPLite', 136, false], ['ICMP', 1, false], ['ICMPv6', 58, false],
  ])('%s is protocol %d and supportsPorts=%s, as Calico spells it', (name, num, ports) => {
    const p = Protocol.parse(name);
    expect(p.number).toBe(num);
    expect(p.supportsPorts).toBe(ports);
    expect(p.toString()).toBe(name);
    expect(Protocol.of(num)).toBe(p);
  });

  test('numbers without a Calico name stay numbers', () => {
    expect(Protocol.parse('47').toString()).toBe('47');
    expect(Protocol.of(47).supportsPorts).toBe(false);
  });

  test('Calico protocol names are case-sensitive; the hint gives the right spelling', () => {
    expect(() => Protocol.parse('tcp')).toThrow(/protocol "tcp" is not a Calico protocol.*hint: Calico spells it "TCP"/);
    expect(() => Protocol.parse('icmpv6')).toThrow(/Calico spells it "ICMPv6"/);
    expect(() => Protocol.of(0)).toThrow(/not a protocol number \(1-255\)/);
    expect(() => Protocol.of(256)).toThrow(/not a protocol number/);
  });
});

describe('Port', () => {
  test.each([
    [Port.tcp(443), 'tcp/443'],
    [Port.tcpRange(8000, 8080), 'tcp/8000-8080'],
    [Port.udp(53), 'udp/53'],
    [Port.sctpRange(3868, 3868), 'sctp/3868'],
    [Port.allTcp(), 'tcp'],
    [Port.icmp(), 'icmp'],
    [Port.icmp({ type: 8 }), 'icmp/8'],
    [Port.icmpv6({ type: 128, code: 0 }), 'icmpv6/128/0'],
    [Port.named('https'), 'tcp/name:https'],
    [Port.allOf(Protocol.of(47)), '47'],
    [Port.allTraffic(), 'all'],
  ])('%s has canonical form %s, and parsing it gives it back', (port, text) => {
    expect(port.toString()).toBe(text);
    expect(Port.parse(text).toString()).toBe(text);
    expect(Port.fromModel(port.toModel()).toString()).toBe(text);
  });

  test('parse accepts "443/tcp" and "8000:8080" ranges', () => {
    expect(Port.parse('443/tcp').toString()).toBe('tcp/443');
    expect(Port.parse('udp/8000:8080').toString()).toBe('udp/8000-8080');
  });

  // Issue 21, item 13: no construct holds the port yet, so each error names the factory the user called, and a hint.
  test.each([
    [() => Port.tcp(70000), /^port "70000" is not a port number \(1-65535\) \(in Port\.tcp\(\)\); hint: .*Port\.allTcp\(\)/],
    [() => Port.tcp(1.5), /^port "1.5" is not a port number .*\(in Port\.tcp\(\)\); hint: /],
    [() => Port.udp(0), /^port "0" is not a port number .*\(in Port\.udp\(\)\); hint: /],
    [() => Port.tcpRange(9000, 8000), /^port "9000-8000" is a range whose start is above its end \(in Port\.tcpRange\(\)\); hint: 8000-9000$/],
    [() => Port.sctpRange(5, 70000), /^port "70000" is not a port number .*\(in Port\.sctpRange\(\)\); hint: /],
    [() => Port.range(Protocol.ICMP, 1, 2), /^port\.protocol "ICMP" does not support ports .*\(in Port\.range\(\)\); hint: Port\.allOf\(Protocol\.of\(1\)\)$/],
    [() => Port.range(Protocol.UDPLITE, 1, 2), /"UDPLite" does not support ports .*\(in Port\.range\(\)\); hint: /],
    [() => Port.named('HTTPS'), /^port "HTTPS" is not a valid port name .*\(in Port\.named\(\)\); hint: /],
    [() => Port.named('a-very-long-port-name'), /is not a valid port name .*\(in Port\.named\(\)\); hint: /],
    [() => Port.named('80'), /is not a valid port name .*\(in Port\.named\(\)\); hint: /],
    [() => Port.named('web--ui'), /is not a valid port name .*\(in Port\.named\(\)\); hint: /],
    [() => Port.icmp({ type: 255 }), /^icmp\.type "255" is not an ICMP type Calico accepts \(0-254\) \(in Port\.icmp\(\)\); hint: /],
    [() => Port.icmpv6({ type: 300 }), /^icmp\.type "300" is not an ICMP type .*\(in Port\.icmpv6\(\)\); hint: /],
    [() => Port.icmp({ code: 1 }), /^icmp\.code "1" is given without an ICMP type .*\(in Port\.icmp\(\)\); hint: give the type too/],
    [() => Port.icmp({ type: 3, code: 256 }), /^icmp\.code "256" is not an ICMP code .*\(in Port\.icmp\(\)\); hint: /],
    [() => Port.parse('gre/12'), /^port "gre\/12" has an unknown protocol \(in Port\.parse\(\)\); hint: /],
    [() => Port.parse('tcp/abc'), /^port "tcp\/abc" is not "<protocol>\/<port>\[-<port>\]" \(in Port\.parse\(\)\); hint: /],
    [() => Port.parse('tcp/1/2'), /^port "tcp\/1\/2" is not "<protocol>\/<port>.*\(in Port\.parse\(\)\); hint: /],
    [() => Port.parse('tcp/70000'), /^port "70000" is not a port number .*\(in Port\.parse\(\)\); hint: /],
    [() => Port.parse('icmp/300'), /^icmp\.type "300" .*\(in Port\.parse\(\)\); hint: /],
    [() => Port.parse('icmp/x'), /^port "icmp\/x" is not "icmp\/<type>\[\/<code>\]" \(in Port\.parse\(\)\); hint: /],
    [() => Protocol.of(300), /^protocol "300" is not a protocol number \(1-255\) \(in Protocol\.of\(\)\); hint: /],
    [() => Protocol.parse('tcp'), /^protocol "tcp" is not a Calico protocol .*\(in Protocol\.parse\(\)\); hint: Calico spells it "TCP"$/],
  ])('invalid input %# is rejected with a clear reason, the factory and a hint', (fn, message) => {
    expect(fn).toThrow(message);
  });

  test('matches and coveredBy follow port ranges and ICMP type/code', () => {
    const range = Port.tcpRange(8000, 8080);
    expect(range.matches(6, 8000)).toBe(true);
    expect(range.matches(6, 8081)).toBe(false);
    expect(range.matches(17, 8000)).toBe(false);
    expect(Port.icmp({ type: 8 }).matches(1, 8, 0)).toBe(true);
    expect(Port.icmp({ type: 8, code: 1 }).matches(1, 8, 0)).toBe(false);
    expect(Port.allTraffic().matches(47)).toBe(true);
    expect(Port.tcp(8001).coveredBy(range)).toBe(true);
    expect(Port.tcpRange(7999, 8001).coveredBy(range)).toBe(false);
    expect(range.coveredBy(Port.allTcp())).toBe(true);
    expect(Port.allTcp().coveredBy(range)).toBe(false);
    expect(Port.udp(53).coveredBy(Port.allTraffic())).toBe(true);
    expect(Port.icmp({ type: 8, code: 0 }).coveredBy(Port.icmp({ type: 8 }))).toBe(true);
  });
});
