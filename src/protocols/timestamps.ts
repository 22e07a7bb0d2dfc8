/** Timestamps on the wire, in the three formats the models use. */
export type TimestampFormat = 'iso8601' | 'rfc822' | 'unixTimestamp';

export function formatTimestamp(d: Date, format: TimestampFormat): string | number {
  switch (format) {
    case 'iso8601':
      return d.toISOString().replace(/\.\d{3}Z$/, d.getUTCMilliseconds() ? `.${String(d.getUTCMilliseconds()).padStart(3, '0')}Z` : 'Z');
    case 'rfc822':
      return d.toUTCString();
    case 'unixTimestamp':
      return d.getTime() / 1000;
  }
}

/** Accepts any of the formats, as AWS services do for input. */
export function parseTimestamp(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value * 1000) : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(value)) return new Date(Number(value) * 1000);
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
