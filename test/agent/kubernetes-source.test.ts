/**
 * The node agent's Kubernetes adapter (client-node 2, on the agents' Node 22, compiled as the images run
 * it) against a stand-in for the API server's list/watch protocol (kubernetes-source-run.js): the first
 * view is complete, watch events arrive, and after the server was gone and its history compacted the
 * adapter relists (410 Gone) and sees what changed meanwhile. The real API server, with our RBAC, is
 * the judge in test/lab/gateway.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AGENT_NODE, buildAgents } from './e2e/netns-lab';

describe('KubernetesSource (list/watch, relist after 410, reconnect)', () => {
  test('complete first view, watch events, restart of the server with a compacted history', () => {
    buildAgents();
    const r = spawnSync(AGENT_NODE, [join(__dirname, 'kubernetes-source-run.js')], { encoding: 'utf8', timeout: 60_000 });
    const out = JSON.parse(r.stdout.trim().split('\n').pop() || '{}');
    if (out.error || r.status !== 0) throw new Error(`${out.error ?? r.status}\n${r.stderr.slice(-3000)}`);
    const s = out.steps;
    expect(s.initial.updates).toBe(1); // one complete view, not one per object
    expect(s.initial.pods).toEqual(['10.201.1.10']); // the pod of another namespace belongs to no zone
    expect(s.initial.gateways).toEqual([{ gateway: 'gw', name: 'gw-10.201.100.11', ip: '10.201.100.11', ready: true, terminating: false }]);
    expect(s.watched.pods).toEqual(['10.201.1.10', '10.201.1.11']);
    expect(s.watched.gateways.map((g: any) => [g.ip, g.ready, g.terminating])).toEqual([['10.201.100.11', false, true], ['10.201.100.12', true, false]]);
    expect(s.whileDown.pods).toEqual(['10.201.1.10', '10.201.1.11']); // the last view stands
    expect(s.afterRestart.pods).toEqual(['10.201.1.11', '10.201.1.12']); // created and deleted while disconnected
    expect(s.watchingAgain.pods).toEqual(['10.201.1.11', '10.201.1.12', '10.201.1.13']);
    expect(s.dualStack.pods).toEqual(['10.201.1.11', '10.201.1.12', '10.201.1.13', '10.201.1.14', 'fd00:10:201:1::14']);
    // Server-side selection: the node's pods only, the Services' slices only.
    expect(out.requests[0]).toBe('/api/v1/pods?fieldSelector=spec.nodeName=n1');
    expect(out.requests).toContain('/apis/discovery.k8s.io/v1/endpointslices?labelSelector=kubernetes.io/service-name');
    // A relist happened after the restart (a list request after the first two).
    expect(out.requests.slice(2).some((q: string) => !q.includes('watch=true'))).toBe(true);
    expect(r.stderr).toMatch(/"msg":"list\/watch failed; keeping the last view".*ECONNREFUSED/);
  });
});
