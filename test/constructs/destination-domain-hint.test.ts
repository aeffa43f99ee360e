import { Testing } from 'cdk8s';
import { Destination, DestinationSet, EgressZone, Port } from '../../src';

test.each(['api.stripe.com', '*.stripe.com', 'API.Stripe.com.'])('Destination.cidr(%j) in a rule: the rule\'s path and a hint at Destination.domain', name => {
  const zone = new EgressZone(Testing.chart(), 'z', { namespaces: ['a'] });
  expect(() => zone.allow('stripe', { to: [Destination.cidr(name)], ports: [Port.tcp(443)] })).toThrow(
    `to[0] "${name}" is a domain name, not an IPv4 or IPv6 address or CIDR (at test/z/stripe); hint: use Destination.domain("${name}") (a DestinationSet takes names in domains)`);
});

test('a name in a DestinationSet\'s cidrs: the same hint, at the set', () => {
  expect(() => new DestinationSet(Testing.chart(), 'saas', { cidrs: ['192.0.2.0/24', 'api.stripe.com'] }))
    .toThrow('cidrs[1] "api.stripe.com" is a domain name, not an IPv4 or IPv6 address or CIDR (at test/saas); hint: use Destination.domain("api.stripe.com")');
});

test.each(['10.0.0.1', '2001:db8::/32', 'fe80::1'])('%j is still an address', text => {
  expect(() => new DestinationSet(Testing.chart(), 'ok', { cidrs: [text] })).not.toThrow();
});

test.each([['stripe', 'is not an IPv4 or IPv6 address or CIDR'], ['10.1', 'is a shorthand']])('%j is not taken for a domain name', (text, reason) => {
  expect(() => new DestinationSet(Testing.chart(), 'bad', { cidrs: [text] })).toThrow(reason);
});
