import { Lab, felixMetrics, stopLab } from './lab';
stopLab();
const L: any = Lab;
(async () => {
  const lab: any = new L('/root/.cache/cdk8s-egress-lab/b7b93d0ee6a4/bin', '/tmp/ceglab', 2, 'projectcalico.org/name == "kube-system"');
  require('fs').mkdirSync('/tmp/ceglab', { recursive: true });
  try {
    lab.network(); lab.certificates();
    // without kcm: skip its wait
    lab.controlPlane = async function () { return Promise.resolve(); };
    const d = '/tmp/ceglab/pki';
    lab.spawnDaemon('ceglab-cp', 'etcd', ['/root/.cache/cdk8s-egress-lab/b7b93d0ee6a4/bin/etcd', '--data-dir', '/tmp/ceglab/etcd', '--unsafe-no-fsync', '--log-level', 'warn']);
    lab.spawnDaemon('ceglab-cp', 'kube-apiserver', ['/root/.cache/cdk8s-egress-lab/b7b93d0ee6a4/bin/kube-apiserver', '--etcd-servers=http://127.0.0.1:2379', '--bind-address=0.0.0.0', '--secure-port=6443', '--advertise-address=192.0.2.2', '--service-cluster-ip-range=10.96.0.0/16', `--tls-cert-file=${d}/apiserver.crt`, `--tls-private-key-file=${d}/apiserver.key`, `--client-ca-file=${d}/ca.crt`, '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${d}/sa.pub`, `--service-account-signing-key-file=${d}/sa.key`, '--authorization-mode=RBAC', '--enable-priority-and-fairness=false']);
    const { waitFor } = require('./lab');
    await waitFor('readyz', () => { try { return lab.kubectl(['get', '--raw', '/readyz']).trim() === 'ok'; } catch { return false; } }, 120000, 1000);
    for (const ns of ['kube-system', 'payments']) { lab.ensureNamespace(ns); lab.kubectl(['create', 'sa', 'default', '-n', ns]); }
    lab.installCalico();
    lab.createNodes();
    lab.startFelixes();
    await lab.startDns();
    console.log('dns pod', lab.dnsPod.ip);
    const p = await lab.createPod({ namespace: 'payments', name: 'p1', node: 0, labels: { app: 'payments-api' } });
    console.log('pod', p);
    await lab.waitForEndpoint(p);
    console.log('endpoint programmed');
    await lab.waitForFelix();
    console.log(felixMetrics(lab.nodes[0]));
    console.log('resolve', lab.resolve(p, 'card.example.test'));
    lab.addExternalHost('203.0.113.10'); lab.startExternalServer([443]);
    const c = lab.externalCounter({ daddr: '203.0.113.10' });
    console.log('connect', lab.tcpConnects(p, '203.0.113.10', 443), c.packets());
  } catch (e: any) { console.log('ERR', e.message.slice(0, 2000)); } finally { console.log(lab.logTails().slice(-6000)); }
})();
