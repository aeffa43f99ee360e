/**
 * What the package tests read from Markdown: relative links, GitHub's heading anchors, and the code blocks a
 * README labels with a file name (`main.ts`:) or a section heading. Plain text scans: README is ours and simple.
 */

/** Relative link targets of `[text](target)` (images included), without external URLs, in document order. */
export function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```$/gm, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map(m => m[1]).filter(t => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** GitHub's anchors for the document's headings: lower case, punctuation dropped, spaces as hyphens. */
export function headingSlugs(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```$/gm, '');
  return [...prose.matchAll(/^#{1,6} +(.+?) *$/gm)]
    .map(m => m[1].toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
}

/** The text of a `## heading` section, up to the next heading of the same or a higher level. */
export function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex(l => l.replace(/^#+ +/, '') === heading && /^#+ /.test(l));
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const level = lines[start].indexOf(' ');
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && l.indexOf(' ') <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** Code blocks of `language` in `markdown`, in order. */
export function codeBlocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map(m => m[1]);
}

/**
 * The files a README gives as code blocks each introduced by a line starting with the file's name in
 * backticks ("`main.ts` (…):"), by name. A name given twice must have the same text.
 */
export function labelledFiles(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of markdown.matchAll(/^`([\w.-]+\.\w+)`[^\n]*:\n+```\w*\n([\s\S]*?)^```$/gm)) {
    const [, name, text] = m;
    if (files.has(name) && files.get(name) !== text) throw new Error(`README gives ${name} twice, differently`);
    files.set(name, text);
  }
  return files;
}
