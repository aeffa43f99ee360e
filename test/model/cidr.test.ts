import * as fc from 'fast-check';
import * as ipaddr from 'ipaddr.js';
import { Cidr, IpFamily } from '../../src/model/cidr';
import { EgressValidationError } from '../../src/model/errors';
import { parseIPv6Hex } from '../../src/model/ip-text';

describe('Cidr.parse: canonical text', () => {
  test.each([
    // [input, canonical, family, prefixLength]
    ['10.0.0.0/8', '10.0.0.0/8', IpFamily.IPV4, 8],
    ['10.1.2.3', '10.1.2.3/32', IpFamily.IPV4, 32],
    ['0.0.0.0/0', '0.0.0.0/0', IpFamily.IPV4, 0],
    ['255.255.255.255', '255.255.255.255/32', IpFamily.IPV4, 32],
    ['192.168.1.0/024', '192.168.1.0/24', IpFamily.IPV4, 24], // Go reads prefix digits with leading zeros
    ['2001:DB8::/32', '2001:db8::/32', IpFamily.IPV6, 32],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1/128', IpFamily.IPV6, 128],
    ['::/0', '::/0', IpFamily.IPV6, 0],
    ['::1', '::1/128', IpFamily.IPV6, 128],
    ['::', '::/128', IpFamily.IPV6, 128],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1/128', IpFamily.IPV6, 128], // RFC 5952 4.2.3: first of equal runs
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1/128', IpFamily.IPV6, 128], // longest run wins
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1/128', IpFamily.IPV6, 128], // one zero group stays
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0/128', IpFamily.IPV6, 128],
    ['fe80::/10', 'fe80::/10', IpFamily.IPV6, 10],
    ['64:ff9b::/96', '64:ff9b::/96', IpFamily.IPV6, 96],
    ['::1.2.3.4', '::102:304/128', IpFamily.IPV6, 128], // IPv4-compatible (deprecated) stays IPv6
    // IPv4-mapped networks are the IPv4 network they map (Go and Calico report version 4 for them)
    ['::ffff:1.2.3.4', '1.2.3.4/32', IpFamily.IPV4, 32],
    ['::FFFF:102:304', '1.2.3.4/32', IpFamily.IPV4, 32],
    ['::ffff:1.2.3.0/120', '1.2.3.0/24', IpFamily.IPV4, 24],
    ['::ffff:0:0/96', '0.0.0.0/0', IpFamily.IPV4, 0],
  ])('%s → %s', (text, canonical, family, prefix) => {
    const c = Cidr.parse(text);
    expect(c.toString()).toBe(canonical);
    expect(`${c}`).toBe(canonical);
    expect(c.family).toBe(family);
    expect(c.prefixLength).toBe(prefix);
    expect(Cidr.parse(canonical).sameAs(c)).toBe(true);
  });
});

describe('Cidr.parse: errors', () => {
  test.each([
    ['10.0.0.1/24', /cidr "10\.0\.0\.1\/24" has host bits set \(in Cidr\.parse\(\)\); hint: did you mean 10\.0\.0\.0\/24\?$/],
    ['2001:db8::1/32', /has host bits set \(in Cidr\.parse\(\)\); hint: did you mean 2001:db8::\/32\?/],
    ['::ffff:1.2.3.4/120', /has host bits set \(in Cidr\.parse\(\)\); hint: did you mean 1\.2\.3\.0\/24\?/],
    ['010.1.1.1', /leading zero.*hint: did you mean 10\.1\.1\.1 \(or 8\.1\.1\.1, if the zero meant octal\)\?/],
    ['10.0.0.09/32', /leading zero.*hint: did you mean 10\.0\.0\.9\/32/],
    ['10.1', /shorthand, octal or hex IPv4 form.*hint: write four decimal octets, e\.g\. 10\.0\.0\.1/],
    ['0x0a.0.0.1', /shorthand, octal or hex/],
    ['fe80::1%eth0', /IPv6 zone \("%eth0"\).*hint: remove "%eth0"/],
    ['fe80::1%eth0/64', /IPv6 zone/],
    ['10.0.0.0/33', /prefix length outside 0-32 for IPv4/],
    ['2001:db8::/129', /prefix length outside 0-128 for IPv6/],
    ['10.0.0.0/', /no prefix length after "\/"/],
    ['10.0.0.0/-1', /prefix length "-1" that is not a decimal number/],
    ['10.0.0.0/8a', /not a decimal number/],
    ['10.0.0.0/8/9', /more than one "\/"/],
    ['', /cidr "" is empty/],
    [' 10.0.0.0/8', /contains whitespace \(in Cidr\.parse\(\)\); hint: did you mean 10\.0\.0\.0\/8\?/],
    ['256.0.0.0', /is not an IPv4 or IPv6 address or CIDR/],
    ['1.2.3.4.5', /is not an IPv4 or IPv6 address or CIDR/],
    ['example.com', /is not an IPv4 or IPv6 address or CIDR/],
    ['1::2::3', /is not a valid IPv6 address/],
    ['12345::', /is not a valid IPv6 address/],
    ['1:2:3:4:5:6:7:8::', /is not a valid IPv6 address/], // "::" must stand for at least one group
    ['::1:2:3:4:5:6:7:8', /is not a valid IPv6 address/],
    ['1:2:3:4:5:6:7', /is not a valid IPv6 address/],
    ['::ffff:01.2.3.4', /embedded IPv4 part "01\.2\.3\.4" that is not a plain dotted quad/],
  ])('%j is rejected', (text, message) => {
    expect(() => Cidr.parse(text)).toThrow(EgressValidationError);
    expect(() => Cidr.parse(text)).toThrow(message);
    expect(Cidr.isValid(text)).toBe(false);
  });

  test('non-strings are rejected, not crashed on', () => {
    expect(() => Cidr.parse(undefined as unknown as string)).toThrow(/is not a string/);
    expect(Cidr.isValid(42 as unknown as string)).toBe(false);
  });

  test('parseLenient masks host bits but rejects everything else', () => {
    expect(Cidr.parseLenient('10.0.0.1/24').toString()).toBe('10.0.0.0/24');
    expect(Cidr.parseLenient('2001:db8::1/32').toString()).toBe('2001:db8::/32');
    expect(Cidr.parseLenient('10.255.255.255/0').toString()).toBe('0.0.0.0/0');
    expect(Cidr.parseLenient('10.0.0.1').toString()).toBe('10.0.0.1/32');
    expect(() => Cidr.parseLenient('010.1.1.1')).toThrow(/leading zero/);
    expect(() => Cidr.parseLenient('fe80::1%eth0/64')).toThrow(/zone/);
    expect(Cidr.isValid('10.0.0.1/24')).toBe(false);
    expect(Cidr.isValid('10.0.0.0/24')).toBe(true);
  });
});

describe('Cidr: addresses and sizes', () => {
  test.each([
    ['10.0.0.0/8', '10.0.0.0', '10.255.255.255', '16777216'],
    ['1.2.3.4/32', '1.2.3.4', '1.2.3.4', '1'],
    ['0.0.0.0/0', '0.0.0.0', '255.255.255.255', '4294967296'],
    ['2001:db8::/64', '2001:db8::', '2001:db8::ffff:ffff:ffff:ffff', '18446744073709551616'],
    ['::/0', '::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', (2n ** 128n).toString()],
    ['::1/128', '::1', '::1', '1'],
  ])('%s spans %s - %s (%s addresses)', (text, first, last, count) => {
    const c = Cidr.parse(text);
    expect(c.networkAddress).toBe(first);
    expect(c.lastAddress).toBe(last);
    expect(c.addressCountString).toBe(count);
    expect(c.addressCount).toBe(Number(count)); // powers of two are exact doubles, even 2^128
    expect(c.nthAddress(-1)).toBe(last);
    expect(c.nthAddress(0)).toBe(first);
    expect(c.containsAddress(first)).toBe(true);
    expect(c.containsAddress(last)).toBe(true);
  });

  test('nthAddress counts from either end and refuses offsets outside the network', () => {
    const c = Cidr.parse('10.0.0.0/24');
    expect(c.nthAddress(1)).toBe('10.0.0.1');
    expect(c.nthAddress(255)).toBe('10.0.0.255');
    expect(c.nthAddress(-256)).toBe('10.0.0.0');
    expect(() => c.nthAddress(256)).toThrow(/is not an address offset inside 10\.0\.0\.0\/24 \(256 addresses\)/);
    expect(() => c.nthAddress(-257)).toThrow(/not an address offset/);
    expect(() => c.nthAddress(1.5)).toThrow(/not an address offset/);
    expect(Cidr.parse('2001:db8::/126').nthAddress(3)).toBe('2001:db8::3');
    // ::/64 holds the IPv4-mapped range; as an IPv6 address it is printed the RFC 5952 way.
    expect(Cidr.parse('::/64').nthAddress(0xffff01020304)).toBe('::ffff:1.2.3.4');
    expect(Cidr.parse('::/0').nthAddress(Number.MAX_SAFE_INTEGER)).toBe('::1f:ffff:ffff:ffff');
  });
});

describe('Cidr: containment and overlap', () => {
  test.each([
    // [a, b, a contains b, overlaps]
    ['10.0.0.0/8', '10.255.255.255/32', true, true],
    ['10.0.0.0/8', '10.0.0.0/8', true, true],
    ['10.0.0.0/8', '10.0.0.0/7', false, true],
    ['10.0.0.0/8', '11.0.0.0/32', false, false],
    ['10.0.0.0/8', '9.255.255.255/32', false, false],
    ['10.0.0.0/25', '10.0.0.128/25', false, false],
    ['0.0.0.0/0', '255.255.255.255/32', true, true],
    ['0.0.0.0/0', '::/0', false, false], // never across families
    ['::/0', '0.0.0.0/0', false, false],
    ['::/0', '2001:db8::/32', true, true],
    ['::/0', '::ffff:1.2.3.4', false, false], // that is 1.2.3.4, an IPv4 address (as in Go)
    ['2001:db8::/32', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128', true, true],
    ['2001:db8::/32', '2001:db9::/128', false, false],
    ['2001:db8::/33', '2001:db8:8000::/33', false, false],
    ['::1/128', '::1/128', true, true],
    ['::/128', '::1/128', false, false],
  ])('%s vs %s: contains=%s overlaps=%s', (a, b, contains, overlaps) => {
    const x = Cidr.parse(a);
    const y = Cidr.parse(b);
    expect(x.contains(y)).toBe(contains);
    expect(x.overlaps(y)).toBe(overlaps);
    expect(y.overlaps(x)).toBe(overlaps);
    expect(x.sameAs(y)).toBe(a === b);
  });

  test('containsAddress takes single addresses only, IPv4-mapped ones as IPv4', () => {
    const c = Cidr.parse('10.0.0.0/24');
    expect(c.containsAddress('10.0.0.255')).toBe(true);
    expect(c.containsAddress('10.0.1.0')).toBe(false);
    expect(c.containsAddress('9.255.255.255')).toBe(false);
    expect(c.containsAddress('::ffff:10.0.0.5')).toBe(true);
    expect(c.containsAddress('::a00:5')).toBe(false);
    expect(() => c.containsAddress('10.0.0.0/24')).toThrow(/is a CIDR, not a single address/);
    expect(() => c.containsAddress('nope')).toThrow(/is not an IPv4 or IPv6 address/);
  });
});

describe('Cidr.subnets', () => {
  test('splits in address order into networks of the new length', () => {
    expect(Cidr.parse('10.0.0.0/23').subnets(24).map(String)).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
    expect(Cidr.parse('2001:db8::/32').subnets(34).map(String))
      .toEqual(['2001:db8::/34', '2001:db8:4000::/34', '2001:db8:8000::/34', '2001:db8:c000::/34']);
    expect(Cidr.parse('10.0.0.0/24').subnets(24).map(String)).toEqual(['10.0.0.0/24']);
    expect(Cidr.parse('::/0').subnets(1).map(String)).toEqual(['::/1', '8000::/1']);
  });

  test('is bounded at 65536 results', () => {
    const parent = Cidr.parse('10.0.0.0/8');
    const all = parent.subnets(24);
    expect(all).toHaveLength(65536);
    expect(all[65535].toString()).toBe('10.255.255.0/24');
    expect(all.every(s => parent.contains(s))).toBe(true);
    expect(() => parent.subnets(25)).toThrow(/would split 10\.0\.0\.0\/8 into 131072 subnets, more than 65536; hint: use a prefix length of at most 24/);
    expect(() => Cidr.parse('2001:db8::/32').subnets(64)).toThrow(/more than 65536/);
  });

  test('rejects lengths shorter than the network or beyond the family', () => {
    expect(() => Cidr.parse('10.0.0.0/24').subnets(23)).toThrow(/not a prefix length between 24 and 32/);
    expect(() => Cidr.parse('10.0.0.0/24').subnets(33)).toThrow(/not a prefix length/);
    expect(() => Cidr.parse('10.0.0.0/24').subnets(25.5)).toThrow(/not a prefix length/);
  });
});

describe('hex-only IPv6 is read by the Go-rule parser alone', () => {
  // Before, ipaddr.js validated every IPv6 text and then our parser read it: the fast path must accept exactly
  // what both accepted.
  const both = (text: string) => ipaddr.IPv6.isValid(text) && parseIPv6Hex(text, 0, text.length, new Uint32Array(4), 0);
  test('accepts what ipaddr.js and the Go-rule parser both accept, on random hex-and-colon text', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9a-fA-F:]{1,42}$/).filter(t => t.includes(':')), text => {
      expect(Cidr.isValid(text)).toBe(both(text));
    }), { numRuns: 3000 });
  });
  test.each(['::', '::1', '1::', '2001:db8::', 'fe80::1:2:3:4', '1:2:3:4:5:6:7:8'])('%s is an address', t => expect(Cidr.isValid(t)).toBe(true));
  test.each(['1:2:3:4:5:6:7:8::', ':::', '1::2::3', '12345::', ':1::', '1:2:3:4:5:6:7', '::g'])('%s is not', t => expect(Cidr.isValid(t)).toBe(false));
});
