/**
 * scripts/lab/up.sh / down.sh: start the lab and leave it running (state in /tmp/ceglab), or stop it.
 */
import { Lab, stopLab } from './lab';
import { nodeArtifacts, NodeRuntime } from './node/node-runtime';

async function main(): Promise<void> {
  const cmd = process.argv[2];
  if (cmd === 'down') {
    stopLab();
    console.log('lab stopped');
    return;
  }
  if (cmd !== 'up') throw new Error('usage: cli.ts up|down');
  // LAB_REAL_NODES=1: kubelets, containerd, kube-proxy and kube-scheduler run the nodes (test/lab/node).
  const artifacts = process.env.LAB_REAL_NODES ? nodeArtifacts() : undefined;
  if (process.env.LAB_REAL_NODES && !artifacts) throw new Error('run scripts/lab/node/build.sh and scripts/lab/node/images.sh first');
  const nodeRuntime = artifacts ? new NodeRuntime(artifacts.bin, artifacts.images) : undefined;
  const lab = await Lab.start({ nodes: Number(process.env.LAB_NODES ?? 2), nodeRuntime });
  console.log(`lab up: state in ${lab.dir}
  kubectl --kubeconfig ${lab.kubeconfig} get nodes
  nodes: ${lab.nodes.map((n) => `${n.name} (netns ${n.netns}, ${n.ip})`).join(', ')}
  cluster DNS: ${lab.dnsIp}; external network: netns ${lab.externalNetns}
  stop: scripts/lab/down.sh`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});
