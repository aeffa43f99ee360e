/**
 * Istio's CRDs (OpenAPI schemas and CEL rules) as the published istio.io/api module ships them
 * (kubernetes/customresourcedefinitions.gen.yaml), and the Gateway API's Gateway and GatewayClass CRDs (the waypoint is a
 * Gateway) from sigs.k8s.io/gateway-api: fetched through the Go module proxy at test time, cached outside the repo,
 * never committed.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CACHE_DIR } from './go-validator';

/** The versions, as the module proxy serves them; the Go validator's go.mod pins the same istio.io/api. */
export const ISTIO_API_VERSION = 'v1.32.0';
/** What istio.io/istio's go.mod requires (v1.6.0), at its latest patch. */
export const GATEWAY_API_VERSION = 'v1.6.3';

function moduleDir(module: string, version: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${module}@${version}: ${info.Error ?? 'no directory'}`);
  return info.Dir;
}

/** The CRD bundle (YAML stream): downloaded on first use, then read from the cache. */
export function istioCrdBundle(): string {
  const file = path.join(CACHE_DIR, `istio-crds-${ISTIO_API_VERSION}-gateway-api-${GATEWAY_API_VERSION}.yaml`);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  const istio = fs.readFileSync(path.join(moduleDir('istio.io/api', ISTIO_API_VERSION), 'kubernetes', 'customresourcedefinitions.gen.yaml'), 'utf8');
  const gwDir = path.join(moduleDir('sigs.k8s.io/gateway-api', GATEWAY_API_VERSION), 'config', 'crd', 'standard');
  const gateway = ['gateway.networking.k8s.io_gatewayclasses.yaml', 'gateway.networking.k8s.io_gateways.yaml'].map(f => fs.readFileSync(path.join(gwDir, f), 'utf8'));
  const bundle = [istio, ...gateway].join('\n---\n');
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  fs.writeFileSync(`${file}.${process.pid}.tmp`, bundle);
  fs.renameSync(`${file}.${process.pid}.tmp`, file);
  return bundle;
}
