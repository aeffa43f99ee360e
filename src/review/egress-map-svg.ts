import { execFileSync } from 'child_process';
import { pathToFileURL } from 'url';

/**
 * The egress map as an SVG picture, so a reviewer sees the posture in a pull request without installing
 * anything. Drawn from the map's DOT by Graphviz itself, in its WebAssembly build from npm
 * (@hpcc-js/wasm-graphviz, bundled): no layout code of ours, and the same picture `dot -Tsvg` would draw.
 *
 * Synthesis is synchronous and the WebAssembly module loads asynchronously (and is an ES module), so it runs
 * in a short-lived node process that this one waits for. Pictures are kept per DOT text: an app synthesized
 * again with the same map (tests, watch loops) does not start Graphviz again.
 */
export class EgressMapSvg {
  /**
   * Estates with more zones are not drawn: Graphviz's layout grows faster than linearly (measured on 2 cores
   * under load: 500 zones 3.5 s, 2,000 zones 31 s) and such a picture is no longer read by anyone.
   */
  public static readonly MAX_ZONES = 500;

  /** The SVG document Graphviz draws for `dot`. */
  public static render(dot: string): string {
    const known = EgressMapSvg.drawn.get(dot);
    if (known !== undefined) return known;
    const svg = execFileSync(process.execPath, ['--no-warnings', '-e', drawScript()], {
      input: dot,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    if (!svg.includes('<svg')) throw new Error(`Graphviz drew no SVG for the egress map: ${svg.slice(0, 200)}`);
    if (EgressMapSvg.drawn.size >= 16) EgressMapSvg.drawn.clear();
    EgressMapSvg.drawn.set(dot, svg);
    return svg;
  }

  private static readonly drawn = new Map<string, string>();

  private constructor() {}
}

/** The drawing process: DOT on stdin, SVG on stdout; a Graphviz error exits non-zero with its message. */
function drawScript(): string {
  const graphviz = pathToFileURL(require.resolve('@hpcc-js/wasm-graphviz')).href;
  return `
const chunks = [];
process.stdin.on('data', c => chunks.push(c)).on('end', async () => {
  const { Graphviz } = await import(${JSON.stringify(graphviz)});
  const graphviz = await Graphviz.load();
  process.stdout.write(graphviz.dot(Buffer.concat(chunks).toString('utf8'), 'svg'));
});`;
}
