/**
 * scripts/lab/up.sh / down.sh: start the lab and leave it running (state in /tmp/ceglab), or stop it.
 */
import { Lab, stopLab } from './lab';

async function main(): Promise<void> {
  const cmd = process.argv[2];
  if (cmd === 'down') {
    stopLab();
    console.log('lab stopped');
    return;
  }
  if (cmd !== 'up') throw new Error('usage: cli.ts up|down');
  const lab = await Lab.start({ nodes: Number(process.env.LAB_NODES ?? 2) });
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
