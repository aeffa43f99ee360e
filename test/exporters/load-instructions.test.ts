/**
 * Every export's "load this" instruction owns only the export's own objects (issue 21 item 1, issue 27): the
 * header says what the file owns and how to load and remove it, and loading it twice, or loading it over an
 * earlier export, leaves exactly what loading it once on a fresh device would, next to the device's own
 * configuration. The devices are modelled by their documented load semantics (device-load.ts); the
 * netfilter files are loaded into real kernels by netfilter-ownership.test.ts.
 */
import { DEVICE_OWN, DeviceFormat, loadOnDevice } from './device-load';
import { doc, rule, set, zone } from './model-fixture';
import { packetEstate } from './packet-estate';
import { FirewallExport } from '../../src/constructs/firewall-export';
import { FirewallFormat } from '../../src/exporters/firewall-format';
import { EgressExitMode, EgressModelDocument } from '../../src/model/egress-model-document';

const text = (model: EgressModelDocument, format: FirewallFormat, file?: string) => {
  const files = FirewallExport.render(model, format);
  return (file ? files.find(f => f.path === file)! : files[0]).content;
};

/** The estate after a change: the card processor narrowed to one range, the SFTP rule gone. */
function changed(): EgressModelDocument {
  const before = packetEstate();
  return {
    ...before,
    destinationSets: before.destinationSets.map(s => s.name === 'card' ? { ...s, cidrs: s.cidrs.slice(0, 1) } : s),
    zones: before.zones.map(z => z.name === 'batch' ? { ...z, rules: z.rules.filter(r => r.name !== 'sftp') } : z),
  };
}

/** An export's files for one device: the configuration and, where the format has one, its removal. */
interface DeviceFiles { readonly main: string; readonly removal?: string }

function deviceFiles(model: EgressModelDocument, format: FirewallFormat): DeviceFiles {
  const [main, removal] = FirewallExport.render(model, format).map(f => f.content);
  return { main, removal };
}

/** The header's "Remove with:" commands, up to the commit. */
const removeCommands = (f: DeviceFiles) => /Remove with: (.*)$/m.exec(f.main)![1].split(', ').filter(c => !/^commit/.test(c));

/** The FortiGate policy ids a header says the export uses. */
const policyRange = (f: DeviceFiles) => /This export uses policies (\d+)-(\d+)\./.exec(f.main)!.slice(1).map(Number);

/** What each header says to load to replace an earlier export by a later one, and to remove one. */
const PROCEDURES: { [device in DeviceFormat]: { replace(before: DeviceFiles, after: DeviceFiles): string[]; remove(f: DeviceFiles): string[] } } = {
  'cisco-asa': {
    replace: (_before, after) => [after.main],
    // The simulated device shows the access lists; the object removals after the clear change none.
    remove: f => removeCommands(f).filter(c => c.startsWith('clear configure access-list')),
  },
  'juniper-srx': { replace: (_before, after) => [after.main], remove: f => [removeCommands(f).join('\n')] },
  'panos': { replace: (before, after) => [before.removal!, after.main], remove: f => [f.removal!] },
  'fortigate': {
    replace: (before, after) => {
      const stale = [];
      for (let id = policyRange(after)[1] + 1; id <= policyRange(before)[1]; id++) stale.push(`    delete ${id}`);
      return [after.main, ['config firewall policy', ...stale, 'end'].join('\n')];
    },
    remove: f => [f.removal!],
  },
};

const DEVICES: [DeviceFormat, FirewallFormat][] = [
  ['cisco-asa', FirewallFormat.CISCO_ASA], ['juniper-srx', FirewallFormat.JUNIPER_SRX], ['panos', FirewallFormat.PANOS], ['fortigate', FirewallFormat.FORTIGATE],
];

describe.each(DEVICES)('%s: loading owns only the export\'s objects', (device, format) => {
  const own = DEVICE_OWN[device];
  const before = deviceFiles(packetEstate(), format);
  const after = deviceFiles(changed(), format);
  const load = (...files: string[]) => loadOnDevice(device, [own, ...files]);
  const procedure = PROCEDURES[device];

  test('the simulated device sees a change (the comparison can fail)', () => {
    expect(load(after.main)).not.toEqual(load(before.main));
    expect(load(before.main).length).toBeGreaterThan(load().length);
  });

  test('loading twice leaves what loading once does', () => {
    expect(load(before.main, before.main)).toEqual(load(before.main));
  });

  test('replacing an earlier export as the header says leaves only the new one: nothing stale, no group widened', () => {
    expect(load(before.main, ...procedure.replace(before, after))).toEqual(load(after.main));
  });

  test('the device\'s own configuration survives every load, and removing the export as the header says leaves only it', () => {
    expect(load(before.main, ...procedure.replace(before, after))).toEqual(expect.arrayContaining(load()));
    expect(load(before.main, ...procedure.remove(before))).toEqual(load());
  });

  test('the header says what the file owns, how to load it and how to remove it', () => {
    const header = before.main.split('\n').filter(l => /^[:#]/.test(l)).join('\n');
    expect(header).toMatch(/Owns only .*cdk8s-egress-\*/s);
    expect(header).toMatch(/Load with: /);
    expect(header).toMatch(/Remove with: /);
  });
});

describe('text of the other formats', () => {
  test('iptables: no built-in chain, no policy, no ACCEPT; loaded with --noflush and a checked jump', () => {
    for (const file of ['egress.rules.v4', 'egress.rules.v6']) {
      const content = text(packetEstate(), FirewallFormat.IPTABLES, file);
      const body = content.split('\n').filter(l => l && !l.startsWith('#'));
      expect(body.filter(l => l.startsWith(':'))).toEqual([':CDK8S-EGRESS - [0:0]']);
      expect(body.filter(l => /^-[A-Z]/.test(l) && !l.startsWith('-A CDK8S-EGRESS '))).toEqual([]);
      expect(body.filter(l => / -j ACCEPT$/.test(l))).toEqual([]);
      expect(content).toMatch(/^# Load with: ip6?tables-restore --noflush < egress\.rules\.v[46] && \{ ip6?tables -C FORWARD -j CDK8S-EGRESS 2>\/dev\/null \|\| ip6?tables -I FORWARD 1 -j CDK8S-EGRESS; \}$/m);
    }
  });

  test('nftables: every statement names the export\'s own table; nothing flushes the ruleset', () => {
    const top = text(packetEstate(), FirewallFormat.NFTABLES).split('\n').filter(l => /^[a-z]/.test(l));
    expect(top).toEqual(['table inet cdk8s_egress', 'delete table inet cdk8s_egress', 'table inet cdk8s_egress {']);
  });

  test('Cisco ASA: the file binds nothing (access-group replaces the bound list) and starts by clearing its own list', () => {
    const lines = text(packetEstate(), FirewallFormat.CISCO_ASA).split('\n').filter(l => l && !l.startsWith(':'));
    expect(lines[0]).toBe('clear configure access-list CDK8S-EGRESS');
    expect(lines.filter(l => /^(access-group|no |clear )/.test(l))).toEqual([lines[0]]);
  });

  test('Cisco ASA: FQDN objects for IPv6 sources are fqdn v6', () => {
    const model = doc({
      destinationSets: [set('api', [], ['api.example.com'])],
      zones: [zone('z', [rule('api', ['api'])], { mode: EgressExitMode.POD_ADDRESS, natPools: ['v6'] })],
      natPools: [{ ...packetEstate().natPools[0], name: 'v6', cidr: '2001:db8:5::/64', ipVersion: 6, natOutgoing: false }],
    });
    expect(text(model, FirewallFormat.CISCO_ASA)).toMatch(/^object network cdk8s-egress-fqdn6-api\.example\.com\n fqdn v6 api\.example\.com$/m);
  });

  test('cloud templates say they own only their resources and how to deploy them so', () => {
    const cfn = JSON.parse(text(packetEstate(), FirewallFormat.AWS_CLOUDFORMATION));
    expect(cfn.Metadata['cdk8s-egress'].ownership).toMatch(/Owns only the resources of this template\. Load with: aws cloudformation deploy --stack-name cdk8s-egress .*stack of its own.*Remove with: /);
    const tf = JSON.parse(text(packetEstate(), FirewallFormat.AWS_TERRAFORM));
    expect(tf['//']).toMatch(/Owns only the resources declared here\. Load with: terraform init && terraform apply .*directory of its own.*Remove with: terraform destroy/);
    const azure = JSON.parse(text(packetEstate(), FirewallFormat.AZURE));
    expect(azure.metadata.ownership).toMatch(/Owns only the network security group named nsgName.*--mode Incremental.*Remove with: /);
    expect(azure.resources.map((r: any) => r.type)).toEqual(['Microsoft.Network/networkSecurityGroups']);
    const gcp = JSON.parse(text(packetEstate(), FirewallFormat.GCP)) as { name: string }[];
    expect(gcp.filter(r => !r.name.startsWith('cdk8s-egress-'))).toEqual([]);
  });
});
