import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the bundled data-path images are published. */
export const DEFAULT_IMAGE_REGISTRY = 'ghcr.io/cdk8s-egress';

let version: string | undefined;

/**
 * The library's own version (package.json, three levels up from both src/constructs/gateway and
 * lib/constructs/gateway): the images are released with the library, so their default tag is it.
 */
export function libraryVersion(): string {
  version ??= String(JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).version);
  return version;
}

/** `<registry>/<name>:<tag>`, unless a complete image reference overrides it. */
export function imageReference(name: string, options: { image?: string; registry?: string; tag?: string }): string {
  if (options.image) return options.image;
  const registry = (options.registry ?? DEFAULT_IMAGE_REGISTRY).replace(/\/+$/, '');
  return `${registry}/${name}:${options.tag ?? libraryVersion()}`;
}
