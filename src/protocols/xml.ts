import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** XML text escaping and a tolerant parser for request bodies. */
export function escapeXml(text: string): string {
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

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  ignoreDeclaration: true,
  textNodeName: '#text',
});

/** Parses a request body; returns the root element's name and content, or undefined if not XML. */
export function parseXml(text: string): { name: string; node: XmlNode } | undefined {
  if (XMLValidator.validate(text) !== true) return undefined;
  const doc = parser.parse(text) as Record<string, XmlNode>;
  const name = Object.keys(doc).find((k) => !k.startsWith('?'));
  if (!name) return undefined;
  return { name, node: doc[name]! };
}
