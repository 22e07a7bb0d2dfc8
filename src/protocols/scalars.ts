import type { Shape } from './model.js';
import { parseTimestamp } from './timestamps.js';

/** Text on the wire (query strings, headers, XML) to the typed value the shape says. */
export function parseScalar(shape: Shape, text: string): { ok: true; value: unknown } | { ok: false } {
  switch (shape.type) {
    case 'integer': case 'long':
      return /^\s*[-+]?\d+\s*$/.test(text) ? { ok: true, value: Number(text) } : { ok: false };
    case 'float': case 'double': case 'bigdecimal': {
      const n = Number(text);
      return text.trim() !== '' && !Number.isNaN(n) ? { ok: true, value: n } : { ok: false };
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      return t === 'true' || t === 'false' ? { ok: true, value: t === 'true' } : { ok: false };
    }
    case 'timestamp': {
      const d = parseTimestamp(text);
      return d ? { ok: true, value: d } : { ok: false };
    }
    case 'blob':
      return { ok: true, value: Buffer.from(text, 'base64') };
    default:
      return { ok: true, value: text };
  }
}
