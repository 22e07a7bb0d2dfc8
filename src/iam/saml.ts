import { AwsError } from '../protocols/errors.js';

/**
 * The parts of a SAML 2.0 response that AssumeRoleWithSAML reads: issuer, subject, audience,
 * expiry and AWS's role and session attributes. Like web identity tokens, Nimbus reads the
 * assertion without checking its signature: it cannot know a real identity provider's keys.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html
 */
export interface SamlAssertion {
  issuer: string;
  subject: string;
  subjectType: string;
  audience: string;
  /** Pairs of role ARN and provider ARN from `https://aws.amazon.com/SAML/Attributes/Role`. */
  roles: [string, string][];
  sessionName?: string;
  sessionDuration?: number;
  /** Clock milliseconds after which the assertion is no longer accepted. */
  notOnOrAfter?: number;
}

const ATTRIBUTE = 'https://aws.amazon.com/SAML/Attributes/';

type Node = Record<string, unknown>;

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string => (typeof v === 'object' && v !== null ? String((v as Node)['#text'] ?? '') : v === undefined ? '' : String(v));

function invalid(message: string): AwsError {
  return new AwsError('InvalidIdentityToken', message, { status: 400 });
}

export async function parseSamlResponse(base64: string): Promise<SamlAssertion> {
  const { XMLParser } = await import('fast-xml-parser');
  let doc: Node;
  try {
    doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false }).parse(Buffer.from(base64, 'base64').toString('utf8')) as Node;
  } catch {
    throw invalid('Invalid SAML response: it is not XML.');
  }
  const response = doc['Response'] as Node | undefined;
  const assertion = list(response?.['Assertion'] ?? doc['Assertion'])[0] as Node | undefined;
  if (!assertion) throw invalid('Invalid SAML response: it holds no assertion.');
  const subject = assertion['Subject'] as Node | undefined;
  const nameId = subject?.['NameID'];
  const confirmation = list(subject?.['SubjectConfirmation'])[0] as Node | undefined;
  const data = confirmation?.['SubjectConfirmationData'] as Node | undefined;
  const conditions = assertion['Conditions'] as Node | undefined;
  const restriction = list(conditions?.['AudienceRestriction'])[0] as Node | undefined;
  const attributes = new Map<string, string[]>();
  for (const statement of list(assertion['AttributeStatement'])) {
    for (const a of list((statement as Node)['Attribute'])) {
      attributes.set(String((a as Node)['@Name']), list((a as Node)['AttributeValue']).map(text));
    }
  }
  const roles = (attributes.get(`${ATTRIBUTE}Role`) ?? []).map((v) => {
    const [a, b] = v.split(',').map((s) => s.trim());
    // Either order is accepted: role then provider, or provider then role.
    return (a?.includes(':saml-provider/') ? [b ?? '', a] : [a ?? '', b ?? '']) as [string, string];
  });
  const expiry = String(data?.['@NotOnOrAfter'] ?? conditions?.['@NotOnOrAfter'] ?? '');
  const duration = attributes.get(`${ATTRIBUTE}SessionDuration`)?.[0];
  const sessionName = attributes.get(`${ATTRIBUTE}RoleSessionName`)?.[0];
  return {
    issuer: text(assertion['Issuer'] ?? response?.['Issuer']),
    subject: text(nameId),
    subjectType: String((nameId as Node | undefined)?.['@Format'] ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient').replace(/^urn:oasis:names:tc:SAML:[\d.]+:nameid-format:/, ''),
    audience: String(data?.['@Recipient'] ?? text(restriction?.['Audience'])),
    roles,
    ...(sessionName ? { sessionName } : {}),
    ...(duration && /^\d+$/.test(duration) ? { sessionDuration: Number(duration) } : {}),
    ...(expiry && !Number.isNaN(Date.parse(expiry)) ? { notOnOrAfter: Date.parse(expiry) } : {}),
  };
}
