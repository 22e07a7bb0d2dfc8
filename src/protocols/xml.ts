import type { XMLParser } from 'fast-xml-parser';

/** XML text escaping and a tolerant parser for request bodies. */
const NEEDS_ESCAPE = /[&<>"'\r\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

export function escapeXml(text: string): string {
  // Most text has nothing to escape: one test, no new string.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[&<>"'\r\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      case "'": return '&apos;';
      default: return `&#x${c.charCodeAt(0).toString(16)};`;
    }
  });
}

/** A parsed XML element: text, attributes (`@_name`) and children by name (arrays when repeated). */
export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] };

// fast-xml-parser costs ~40 ms to load: loaded on the first XML body, not at start-up.
let parser: Promise<{ parser: XMLParser; validate: (text: string) => boolean }> | undefined;

function load() {
  parser ??= import('fast-xml-parser').then(({ XMLParser, XMLValidator }) => ({
    parser: new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '@_',
      removeNSPrefix: true,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: false,
      processEntities: true,
      ignoreDeclaration: true,
      textNodeName: '#text',
    }),
    validate: (text: string) => XMLValidator.validate(text) === true,
  }));
  return parser;
}

/** Parses a request body; returns the root element's name and content, or undefined if not XML. */
export async function parseXml(text: string): Promise<{ name: string; node: XmlNode } | undefined> {
  const { parser: p, validate } = await load();
  if (!validate(text)) return undefined;
  let doc: Record<string, XmlNode>;
  try {
    doc = p.parse(text) as Record<string, XmlNode>;
  } catch {
    // What validation lets through and the parser refuses: a DOCTYPE naming an external entity.
    return undefined;
  }
  const name = Object.keys(doc).find((k) => !k.startsWith('?'));
  if (!name) return undefined;
  return { name, node: doc[name]! };
}
