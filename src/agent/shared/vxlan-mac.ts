/**
 * The inner MAC address of a gateway replica's VXLAN device, derived from the replica's underlay IP.
 * Both sides compute it, so the node needs no ARP across the tunnel (static neighbour + FDB entries):
 * locally administered (02:), then 0x65 ('e'), then the four address bytes.
 */
export function vxlanMacFor(ip: string): string {
  const bytes = ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'));
  return ['02', '65', ...bytes].join(':');
}

/** The agent-owned VXLAN device of a zone, on nodes and gateways alike (<= 15 characters). */
export function tunnelDeviceName(vni: number): string {
  return `egz${vni}`;
}

export const TUNNEL_DEVICE_PREFIX = 'egz';
