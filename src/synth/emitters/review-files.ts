import * as path from 'path';
import { EgressMap } from '../../review/egress-map';
import { EgressMapSvg } from '../../review/egress-map-svg';
import { Emitter } from '../emitter';

/** What reviewers and tools read: the resolved model (egress-model.json) and the egress map (Markdown, DOT, SVG). */
export const REVIEW_FILES: Emitter = {
  name: 'egress review',
  unsupported: () => [],
  render: ({ document, requests }, output) => {
    for (const { outdir, path: reviewPath } of requests.reviewFiles) {
      output.writeFile(path.join(outdir, 'egress-model.json'), `${JSON.stringify(document, undefined, 2)}\n`);
      output.writeFile(path.join(outdir, 'egress-map.md'), EgressMap.toMarkdown(document));
      const dot = EgressMap.toDot(document);
      output.writeFile(path.join(outdir, 'egress-map.dot'), dot);
      if (document.zones.length <= EgressMapSvg.MAX_ZONES) output.writeFile(path.join(outdir, 'egress-map.svg'), EgressMapSvg.render(dot));
      else output.warn(reviewPath, `egress-map.svg not drawn: ${document.zones.length} zones are more than ${EgressMapSvg.MAX_ZONES} (egress-map.dot and egress-map.md are written)`);
    }
  },
};
