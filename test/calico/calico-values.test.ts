import { CalicoPort, CalicoProtocol } from '../../src/calico';

describe('CalicoProtocol', () => {
  test.each([
    ['TCP', 'TCP', true], ['tcp', 'TCP', true], ['udp', 'UDP', true], ['Sctp', 'SCTP', true],
    ['icmp', 'ICMP', false], ['ICMPV6', 'ICMPv6', false], ['udplite', 'UDPLite', false],
    ['6', 6, true], ['17', 17, true], ['132', 132, true], ['1', 1, false], ['255', 255, false],
  ])('parse(%p) renders %p (ports: %p)', (text, json, ports) => {
    const p = CalicoProtocol.parse(text);
    expect(p.toJson()).toBe(json);
    expect(p.supportsPorts).toBe(ports);
  });

  test('named constants are the parsed names', () => {
    expect(CalicoProtocol.parse('icmpv6')).toBe(CalicoProtocol.ICMPV6);
    expect(CalicoProtocol.ICMP.impliedIpVersion).toBe(4);
    expect(CalicoProtocol.of(58).impliedIpVersion).toBe(6);
    expect(CalicoProtocol.TCP.impliedIpVersion).toBe(0);
  });

  test.each([
    ['0', /protocol "0" is not a protocol number Calico accepts \(an integer 1-255\)/],
    ['256', /protocol "256" is not a protocol number/],
    ['any', /protocol "any" is not a protocol Calico accepts/],
    ['GRE', /protocol "GRE" is not a protocol Calico accepts \(one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite/],
    ['', /protocol "" is not a protocol Calico accepts/],
  ])('parse(%p) throws', (text, message) => {
    expect(() => CalicoProtocol.parse(text)).toThrow(message);
  });

  test('of() rejects non-integers', () => {
    expect(() => CalicoProtocol.of(6.5)).toThrow(/protocol "6.5" is not a protocol number/);
  });
});

describe('CalicoPort', () => {
  test.each([
    ['443', 443], ['1', 1], ['65535', 65535], ['8000:8080', '8000:8080'], ['80:80', 80], ['http', 'http'], ['metrics-2', 'metrics-2'],
  ])('parse(%p) renders %p', (text, json) => {
    expect(CalicoPort.parse(text).toJson()).toBe(json);
  });

  test('range() keeps its bounds and prints min:max', () => {
    const r = CalicoPort.range(1000, 2000);
    expect([r.minPort, r.maxPort, r.portName]).toEqual([1000, 2000, undefined]);
    expect(r.toString()).toBe('1000:2000');
  });

  test.each([
    ['0', /port "0" is not a port number Calico accepts \(an integer 1-65535\)/],
    ['65536', /port "65536" is not a port number/],
    ['200:100', /port "200:100" is not a valid port range \(minimum greater than maximum\)/],
    ['0:10', /port "0:10" is not a port number/],
    ['HTTP', /port "HTTP" is not a valid port name: may only contain a-z, 0-9 and "-"/],
    ['a-very-long-port-name', /is not a valid port name: must be 1-15 characters long/],
    ['8080-8090', /port "8080-8090" is not a valid port name: must contain at least one letter/],
    ['web--x', /must not contain "--"/],
    ['-web', /must not begin or end with "-"/],
    ['', /port "" is not a valid port name: must be 1-15 characters long/],
  ])('parse(%p) throws', (text, message) => {
    expect(() => CalicoPort.parse(text)).toThrow(message);
  });

  test('of() rejects fractions', () => {
    expect(() => CalicoPort.of(80.5)).toThrow(/port "80.5" is not a port number/);
  });
});
