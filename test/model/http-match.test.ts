import { HttpMatch, HttpMatchKind, HttpPath } from '../../src';

describe('HttpPath', () => {
  test.each([
    [HttpPath.exact('/v1/charges'), '/v1/charges', ['/v1/charges'], ['/v1/charges/1', '/v1/charge']],
    [HttpPath.prefix('/v1/'), '/v1/*', ['/v1/', '/v1/charges/7'], ['/v2/', '/v1']],
  ])('%s: canonical %s, matches exactly what it says', (path, text, yes, no) => {
    expect(path.toString()).toBe(text);
    for (const p of yes) expect(path.matches(p)).toBe(true);
    for (const p of no) expect(path.matches(p)).toBe(false);
    expect(HttpPath.fromModel(path.toModel()).toString()).toBe(text);
  });

  test.each(['v1/charges', '/v1/*', '/a b', '/q?x=1', '/#frag', ''])('"%s" is not a request path', bad => {
    expect(() => HttpPath.exact(bad)).toThrow(/path ".*" is not an absolute request path .*\(in HttpPath.exact\(\)\); hint: e\.g\. "\/v1\/charges"/);
  });
});

describe('HttpMatch', () => {
  test('http: methods and hosts sorted and de-duplicated, paths sorted; canonical text; model round trip', () => {
    const m = HttpMatch.http({ methods: ['POST', 'GET', 'GET'], paths: [HttpPath.prefix('/v1/'), HttpPath.exact('/health')], hosts: ['API.example.com.'] });
    expect(m.kind).toBe(HttpMatchKind.HTTP);
    expect(m.methods).toEqual(['GET', 'POST']);
    expect(m.hosts).toEqual(['api.example.com']);
    expect(m.toString()).toBe('http GET,POST /health,/v1/* host=api.example.com');
    expect(HttpMatch.fromModel(m.toModel()).toString()).toBe(m.toString());
  });

  test('tls: server names only; originateTls: app port 80 by default, a credential', () => {
    expect(HttpMatch.tls().toString()).toBe('tls');
    expect(HttpMatch.tls({ sniHosts: ['api.example.com'] }).toModel()).toEqual({ kind: 'tls', methods: [], paths: [], hosts: ['api.example.com'] });
    const o = HttpMatch.originateTls({ methods: ['GET'], credentialName: 'payments-ca' });
    expect(o.toModel()).toEqual({ kind: 'originate-tls', methods: ['GET'], paths: [], hosts: [], appPort: 80, credentialName: 'payments-ca' });
    expect(o.toString()).toBe('originate-tls:80 GET credential=payments-ca');
    expect(HttpMatch.fromModel(o.toModel()).toString()).toBe(o.toString());
  });

  test.each([
    [() => HttpMatch.http({ methods: ['get'] }), /methods "get" is not an HTTP method in upper case \(in HttpMatch.http\(\)\)/],
    [() => HttpMatch.http({ hosts: ['api_example.com'] }), /hosts "api_example.com" is not a host name/],
    [() => HttpMatch.tls({ sniHosts: ['*bad'] }), /sniHosts "\*bad" is not a host name .*\(in HttpMatch.tls\(\)\)/],
    [() => HttpMatch.originateTls({ appPort: 0 }), /appPort "0" is not a port number/],
    [() => HttpMatch.originateTls({ credentialName: 'Bad_Name' }), /credentialName "Bad_Name" is not a Secret name/],
    [() => HttpMatch.fromModel({ kind: 'grpc', methods: [], paths: [], hosts: [] }), /kind "grpc" is not "http", "tls" or "originate-tls"/],
  ])('bad input %#', (fn, message) => {
    expect(fn).toThrow(message);
  });
});
