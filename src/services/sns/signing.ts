import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { ServiceEnv } from '../service.js';

/**
 * SNS signs what it posts to HTTP/S subscribers so they can check it came from SNS: RSA over a
 * canonical string of the message's fields, SHA1 for SignatureVersion 1 and SHA256 for 2, with
 * the certificate at SigningCertURL. Nimbus makes one self-signed certificate per data directory
 * and serves it at `/_nimbus/sns/signing-cert`; validators that pin AWS's certificate host need
 * to be told Nimbus's.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */
export interface Signer {
  key: KeyObject;
  certificate: string;
}

/** The fields signed, in order, for each message type. */
const SIGNED_FIELDS: Record<string, string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

export function signingCertUrl(env: ServiceEnv): string {
  return `${env.endpoint}/_nimbus/sns/signing-cert`;
}

/** The message with SignatureVersion, Signature and SigningCertURL added. */
export function signed(env: ServiceEnv, message: Record<string, unknown>, version: string): Record<string, unknown> {
  const canonical = SIGNED_FIELDS[message['Type'] as string]!
    .filter((f) => message[f] !== undefined)
    .map((f) => `${f}\n${String(message[f])}\n`).join('');
  const signature = sign(version === '2' ? 'sha256' : 'sha1', Buffer.from(canonical), signer(env).key).toString('base64');
  return { ...message, SignatureVersion: version === '2' ? '2' : '1', Signature: signature, SigningCertURL: signingCertUrl(env) };
}

/** This instance's key and certificate: made once, then kept in the database so signatures stay verifiable across restarts. */
export function signer(env: ServiceEnv): Signer {
  return env.memory('sns.signer', () => {
    const row = env.db.prepare('SELECT private_key, certificate FROM sns_signing_key WHERE id = 1').get() as { private_key: string; certificate: string } | undefined;
    if (row) return { key: createPrivateKey(row.private_key), certificate: row.certificate };
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const certificate = selfSigned(privateKey, 'sns.amazonaws.com', env.clock.now());
    env.db.prepare('INSERT INTO sns_signing_key (id, private_key, certificate) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING')
      .run(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, certificate);
    return { key: privateKey, certificate };
  });
}

// DER, just enough of it for one X.509 v3 certificate (RFC 5280 §4.1).
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const sequence = (...c: Buffer[]) => der(0x30, ...c);
/** sha256WithRSAEncryption, 1.2.840.113549.1.1.11, with its NULL parameters. */
const SHA256_WITH_RSA = sequence(Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]), Buffer.from([0x05, 0x00]));
/** A Name of one commonName (2.5.4.3) attribute. */
const commonName = (cn: string) => sequence(der(0x31, sequence(Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]), der(0x0c, Buffer.from(cn)))));
/** UTCTime, YYMMDDHHMMSSZ (dates before 2050). */
const utcTime = (ms: number) => der(0x17, Buffer.from(new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'));

function selfSigned(key: KeyObject, cn: string, now: number): string {
  const serial = randomBytes(8);
  serial[0]! &= 0x7f; // a positive INTEGER
  const day = 86_400_000;
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))), // version v3
    der(0x02, serial),
    SHA256_WITH_RSA,
    commonName(cn),
    sequence(utcTime(now - day), utcTime(now + 10 * 365 * day)),
    commonName(cn),
    createPublicKey(key).export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, key);
  const cert = sequence(tbs, SHA256_WITH_RSA, der(0x03, Buffer.from([0]), signature));
  return `-----BEGIN CERTIFICATE-----\n${cert.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}
