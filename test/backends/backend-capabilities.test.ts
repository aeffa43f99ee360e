import * as fs from 'fs';
import * as path from 'path';
import { BackendCapabilities } from '../../src/backends/backend-capabilities';

describe('backend support table', () => {
  test('docs/backends.md shows the table the code declares', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'backends.md'), 'utf8');
    expect(doc).toContain(BackendCapabilities.markdown());
  });

  test('every backend states something for every feature', () => {
    for (const row of BackendCapabilities.table()) {
      for (const v of [row.calico, row.calicoEnterprise, row.cilium, row.kubernetes]) expect(v.trim()).not.toBe('');
    }
    expect(BackendCapabilities.table().map(r => r.feature)).toEqual(expect.arrayContaining(['Domain names', 'NAT pools', 'Calico Enterprise gateways']));
  });
});
