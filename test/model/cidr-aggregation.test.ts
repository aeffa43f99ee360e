import { CidrAggregator, DescribedCidr } from '../../src/model/cidr-aggregation';
import { IpFamily } from '../../src/model/ip-family';

const agg = (...entries: Array<[string, string?]>) =>
  CidrAggregator.aggregate(entries.map(([cidr, description]): DescribedCidr => ({ cidr, description })))
    .map(a => `${a.cidr} [${a.descriptions.join(',')}]`);

describe('CidrAggregator.aggregate', () => {
  test('merges sibling halves into their parent, keeping both descriptions', () => {
    expect(agg(['10.0.0.0/25', 'a'], ['10.0.0.128/25', 'b'])).toEqual(['10.0.0.0/24 [a,b]']);
  });

  test('adjacent prefixes that are not siblings stay apart', () => {
    expect(agg(['10.0.0.128/25', 'a'], ['10.0.1.0/25', 'b'])).toEqual(['10.0.0.128/25 [a]', '10.0.1.0/25 [b]']);
    expect(agg(['2001:db8:8000::/33'], ['2001:db9::/33'])).toEqual(['2001:db8:8000::/33 []', '2001:db9::/33 []']);
  });

  test('drops prefixes inside others, moving their descriptions to the container', () => {
    expect(agg(['10.1.2.3', 'host'], ['10.0.0.0/8', 'net'], ['10.200.0.0/16', 'sub'])).toEqual(['10.0.0.0/8 [host,net,sub]']);
    expect(agg(['2001:db8::1', 'host'], ['2001:db8::/32', 'net'])).toEqual(['2001:db8::/32 [host,net]']);
  });

  test('merges repeatedly: four quarters make the whole, three do not', () => {
    expect(agg(['10.0.0.192/26', 'd'], ['10.0.0.0/26', 'a'], ['10.0.0.128/26', 'c'], ['10.0.0.64/26', 'b']))
      .toEqual(['10.0.0.0/24 [a,b,c,d]']);
    expect(agg(['10.0.0.0/26', 'a'], ['10.0.0.64/26', 'b'], ['10.0.0.192/26', 'd']))
      .toEqual(['10.0.0.0/25 [a,b]', '10.0.0.192/26 [d]']);
    // A merged parent completes a bigger block with an earlier entry.
    expect(agg(['10.0.0.0/25'], ['10.0.0.128/26'], ['10.0.0.192/27'], ['10.0.0.224/27'])).toEqual(['10.0.0.0/24 []']);
  });

  test('merges up to the whole address space of each family', () => {
    expect(agg(['128.0.0.0/1'], ['0.0.0.0/1'])).toEqual(['0.0.0.0/0 []']);
    expect(agg(['8000::/1'], ['::/1'])).toEqual(['::/0 []']);
    expect(agg(['2001:db8::/33'], ['2001:db8:8000::/33'])).toEqual(['2001:db8::/32 []']);
    expect(agg(['::/128'], ['::1/128'])).toEqual(['::/127 []']);
    expect(agg(['255.255.255.254'], ['255.255.255.255'])).toEqual(['255.255.255.254/31 []']);
  });

  test('sorts IPv4 first, then by address, then by prefix; descriptions sorted and de-duplicated', () => {
    const out = CidrAggregator.aggregate([
      { cidr: '2001:db8::/32', description: 'v6' },
      { cidr: '192.168.0.0/16', description: 'z' },
      { cidr: '192.168.0.0/16', description: 'a' },
      { cidr: '192.168.1.0/24', description: 'z' },
      { cidr: '10.0.0.0/8' },
      { cidr: '9.0.0.0/8', description: '' },
    ]);
    expect(out).toEqual([
      { cidr: '9.0.0.0/8', family: IpFamily.IPV4, descriptions: [] },
      { cidr: '10.0.0.0/8', family: IpFamily.IPV4, descriptions: [] },
      { cidr: '192.168.0.0/16', family: IpFamily.IPV4, descriptions: ['a', 'z'] },
      { cidr: '2001:db8::/32', family: IpFamily.IPV6, descriptions: ['v6'] },
    ]);
  });

  test('normalises input text first: bare addresses, IPv4-mapped IPv6, upper case', () => {
    expect(agg(['::ffff:10.0.0.0/121', 'mapped'], ['10.0.0.128/25', 'plain'])).toEqual(['10.0.0.0/24 [mapped,plain]']);
    expect(agg(['2001:DB8::/32'], ['2001:db8:0::/32'])).toEqual(['2001:db8::/32 []']);
    expect(agg(['10.0.0.1'])).toEqual(['10.0.0.1/32 []']);
  });

  test('rejects host bits unless lenient, naming the entry', () => {
    expect(() => CidrAggregator.aggregate([{ cidr: '10.0.0.0/8' }, { cidr: '10.0.0.1/24' }]))
      .toThrow(/entries\[1\] "10\.0\.0\.1\/24" has host bits set; hint: did you mean 10\.0\.0\.0\/24\?/);
    expect(() => CidrAggregator.aggregate([{ cidr: '2001:db8::1/64' }])).toThrow(/hint: did you mean 2001:db8::\/64\?/);
    expect(CidrAggregator.aggregate([{ cidr: '10.0.0.1/24' }, { cidr: '2001:db8::1/64' }], { strict: false }).map(a => a.cidr))
      .toEqual(['10.0.0.0/24', '2001:db8::/64']);
    expect(() => CidrAggregator.aggregate([{ cidr: 'bogus' }], { strict: false })).toThrow(/entries\[0\] "bogus" is not an IPv4 or IPv6/);
    expect(() => CidrAggregator.aggregate([{ cidr: '010.0.0.0/8' }])).toThrow(/leading zero/);
    expect(() => CidrAggregator.aggregate([{ cidr: '10.0.0.0/33' }])).toThrow(/prefix length outside 0-32/);
  });

  test('empty input gives empty output; merge() is aggregate() without descriptions', () => {
    expect(CidrAggregator.aggregate([])).toEqual([]);
    expect(CidrAggregator.merge([])).toEqual([]);
    const list = ['10.0.0.128/25', '10.0.0.0/25', '2001:db8::/48', '192.0.2.7'];
    expect(CidrAggregator.merge(list)).toEqual(CidrAggregator.aggregate(list.map(cidr => ({ cidr }))).map(a => a.cidr));
    expect(() => CidrAggregator.merge(['10.0.0.0/8', 'x'])).toThrow(/cidrs\[1\] "x"/);
  });
});

describe('CidrAggregator.subtract', () => {
  test.each([
    [['10.0.0.0/24'], ['10.0.0.0/25'], ['10.0.0.128/25']],
    [['10.0.0.0/24'], ['10.0.0.64/26'], ['10.0.0.0/26', '10.0.0.128/25']],
    [['10.0.0.0/30'], ['10.0.0.3'], ['10.0.0.0/31', '10.0.0.2/32']],
    [['10.0.0.0/24'], ['10.0.0.0/8'], []],
    [['10.0.0.0/24'], ['10.0.0.0/24'], []],
    [['10.0.0.0/24'], ['10.0.1.0/24', '2001:db8::/32'], ['10.0.0.0/24']],
    [['10.0.0.0/24', '10.0.0.0/25'], [], ['10.0.0.0/24']],
    [['10.0.0.0/25', '10.0.0.128/25'], ['10.0.0.0/26'], ['10.0.0.64/26', '10.0.0.128/25']],
    [['2001:db8::/32'], ['2001:db8::/33'], ['2001:db8:8000::/33']],
    [['::/0', '0.0.0.0/0'], ['::/1', '0.0.0.0/1'], ['128.0.0.0/1', '8000::/1']],
    [['2001:db8::/126'], ['2001:db8::1'], ['2001:db8::/128', '2001:db8::2/127']],
    [[], ['10.0.0.0/8'], []],
  ])('%j minus %j = %j', (include, exclude, expected) => {
    expect(CidrAggregator.subtract(include, exclude)).toEqual(expected);
  });

  test('the public IPv4 internet: everything minus the RFC 1918 ranges', () => {
    const out = CidrAggregator.subtract(['0.0.0.0/0'], ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
    // The well-known 31-prefix list (as used for VPN "everything but LAN" routes).
    expect(out).toEqual([
      '0.0.0.0/5', '8.0.0.0/7', '11.0.0.0/8', '12.0.0.0/6', '16.0.0.0/4', '32.0.0.0/3', '64.0.0.0/2', '128.0.0.0/3',
      '160.0.0.0/5', '168.0.0.0/6', '172.0.0.0/12', '172.32.0.0/11', '172.64.0.0/10', '172.128.0.0/9', '173.0.0.0/8',
      '174.0.0.0/7', '176.0.0.0/4', '192.0.0.0/9', '192.128.0.0/11', '192.160.0.0/13', '192.169.0.0/16',
      '192.170.0.0/15', '192.172.0.0/14', '192.176.0.0/12', '192.192.0.0/10', '193.0.0.0/8', '194.0.0.0/7',
      '196.0.0.0/6', '200.0.0.0/5', '208.0.0.0/4', '224.0.0.0/3',
    ]);
  });

  test('validates both lists, naming the list and entry', () => {
    expect(() => CidrAggregator.subtract(['10.0.0.1/24'], [])).toThrow(/include\[0\] "10\.0\.0\.1\/24" has host bits set/);
    expect(() => CidrAggregator.subtract(['10.0.0.0/8'], ['10.0.0.0/8', 'nope'])).toThrow(/exclude\[1\] "nope"/);
    expect(CidrAggregator.subtract(['10.0.0.1/24'], ['10.0.0.1/25'], { strict: false })).toEqual(['10.0.0.128/25']);
  });
});
