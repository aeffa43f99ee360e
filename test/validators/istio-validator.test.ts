/**
 * Every Istio object the library writes is decoded by Istio's own Go types (test/validators/istio: istio.io/api specs
 * with protojson, strict; istio.io/client-go objects) and must be accepted; broken copies must be rejected.
 */
import { expectAccepted as accepted } from './accepted';
import { exampleOutput, Output } from './estates';
import { describeWithValidator, toStream } from './go-validator';
import { istioFixedOutputs, randomIstioOutputs } from './istio-estates';

const ISTIO = /\.istio\.io\//;

describeWithValidator('istio', "Istio's own types accept every Istio object the library writes", validator => {
  const expectAccepted = (outputs: Output[]) => accepted(validator(), outputs, ISTIO, 'not-istio');

  test('the fixed estates: ambient and sidecar, every kind of rule', () => {
    const [ambient, sidecar] = istioFixedOutputs();
    expect(expectAccepted([ambient])).toEqual({ ServiceEntry: 7, AuthorizationPolicy: 7, DestinationRule: 1 });
    expect(expectAccepted([sidecar]))
      .toEqual({ Sidecar: 3, Gateway: 1, DestinationRule: 2, ServiceEntry: 2, VirtualService: 2, AuthorizationPolicy: 1 });
  });

  test('the example with BACKEND=cilium: its mesh zone', () => {
    const counts = expectAccepted([exampleOutput('cilium')]);
    expect(counts.AuthorizationPolicy).toBeGreaterThanOrEqual(1);
  });

  test('40 random mesh estates (seeded)', () => {
    const counts = expectAccepted(randomIstioOutputs(40));
    // eslint-disable-next-line no-console
    console.log(`Istio's types accepted ${JSON.stringify(counts)} from 40 random estates`);
    for (const kind of ['ServiceEntry', 'AuthorizationPolicy', 'DestinationRule', 'VirtualService', 'Sidecar', 'Gateway']) expect(counts[kind]).toBeGreaterThanOrEqual(10);
  }, 300_000);

  test('the checks are real: unknown fields (which client-go alone accepts), unknown enum names and bad values are rejected', () => {
    const objects = istioFixedOutputs()[0].objects;
    const se = objects.find(o => o.kind === 'ServiceEntry');
    const ap = objects.find(o => o.kind === 'AuthorizationPolicy');
    const broken = [
      { ...se, spec: { ...se.spec, hostz: ['x'] } },
      { ...se, spec: { ...se.spec, resolution: 'MAGIC' } },
      { ...ap, spec: { ...ap.spec, action: 'PERMIT' } },
      { ...ap, spec: { ...ap.spec, rules: [{ from: [{ source: { namespace: ['pay'] } }] }] } },
      { ...se, spec: { ...se.spec, ports: [{ number: 'eighty', name: 'http', protocol: 'HTTP' }] } },
      { ...se, metadata: { ...se.metadata, lables: {} } },
      { ...se, status2: {} },
    ];
    const verdicts = validator().run(toStream(broken));
    expect(verdicts.map(v => v.outcome)).toEqual(broken.map(() => 'rejected'));
    expect(verdicts[0].error).toMatch(/hostz/);
    expect(verdicts[1].error).toMatch(/MAGIC/);
    expect(verdicts[2].error).toMatch(/PERMIT/);
    expect(verdicts[3].error).toMatch(/namespace/);
    expect(verdicts[5].error).toMatch(/lables/);
    expect(verdicts[6].error).toMatch(/status2/);
  });
});
