import * as fs from 'fs';
import * as path from 'path';
import { BackendCapabilities } from '../../src/backends/backend-capabilities';
import { istioCapabilitiesMarkdown } from '../../src/backends/istio/istio-capabilities';

test('docs/backends.md shows the Istio column the code declares, one row per feature of the support table', () => {
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'backends.md'), 'utf8');
  const table = istioCapabilitiesMarkdown();
  expect(doc).toContain(table);
  expect(table).not.toContain('not stated');
  expect(table.trim().split('\n')).toHaveLength(BackendCapabilities.table().length + 2);
});
