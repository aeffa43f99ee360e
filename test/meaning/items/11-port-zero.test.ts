/**
 * Issue 14, item 11: port 0 is rejected everywhere, when the port is made.
 */
import { Port } from '../../../src';

test.each([
  ['Port.tcp(0)', () => Port.tcp(0)],
  ['Port.udp(0)', () => Port.udp(0)],
  ['Port.sctp(0)', () => Port.sctp(0)],
  ['Port.tcpRange(0, 10)', () => Port.tcpRange(0, 10)],
  ['Port.udpRange(0, 0)', () => Port.udpRange(0, 0)],
  ['Port.parse("tcp/0")', () => Port.parse('tcp/0')],
  ['Port.parse("udp/0-100")', () => Port.parse('udp/0-100')],
])('%s is rejected', (_what, fn) => {
  expect(fn).toThrow(/port "0(-\d+)?" is not a port number \(1-65535\)/);
});

test('1 and 65535 are ports', () => {
  expect(Port.tcp(1).toString()).toBe('tcp/1');
  expect(Port.tcpRange(1, 65535).toString()).toBe('tcp/1-65535');
});
