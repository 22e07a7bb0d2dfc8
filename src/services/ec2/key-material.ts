import { createHash, createHmac, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Real SSH key material as EC2 hands it out: RSA keys as PKCS#1 PEM, ED25519 keys in OpenSSH's
 * format, either as PuTTY .ppk, and the fingerprints the console shows: for keys AWS created,
 * the SHA-1 of the PKCS#8 private key (RSA); for imported RSA keys, the MD5 of the public key's
 * DER; for ED25519 keys, the base64 SHA-256 of the OpenSSH public key.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/verify-keys.html
 */
function sshString(data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** An SSH mpint: big-endian, with a leading zero byte when the top bit is set. */
function mpint(b64url: string): Buffer {
  let b = Buffer.from(b64url, 'base64url');
  while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.subarray(1);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return sshString(b);
}

function colonHex(digest: Buffer): string {
  return digest.toString('hex').match(/../g)!.join(':');
}

/** The OpenSSH public key blob (`ssh-rsa`/`ssh-ed25519` wire format). */
export function sshPublicBlob(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'OKP') return Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.from(jwk.x!, 'base64url'))]);
  return Buffer.concat([sshString('ssh-rsa'), mpint(jwk.e!), mpint(jwk.n!)]);
}

export function openSshPublicKey(key: KeyObject, comment: string): string {
  const type = key.asymmetricKeyType === 'ed25519' ? 'ssh-ed25519' : 'ssh-rsa';
  return `${type} ${sshPublicBlob(key).toString('base64')} ${comment}`;
}

function ed25519Fingerprint(publicKey: KeyObject): string {
  return createHash('sha256').update(sshPublicBlob(publicKey)).digest('base64');
}

function wrap(b64: string, width: number): string {
  return b64.match(new RegExp(`.{1,${width}}`, 'g'))!.join('\n');
}

/** ED25519 private keys in the `-----BEGIN OPENSSH PRIVATE KEY-----` format (PROTOCOL.key in OpenSSH). */
function openSshPrivateKey(privateKey: KeyObject, comment: string): string {
  const jwk = privateKey.export({ format: 'jwk' });
  const pub = Buffer.from(jwk.x!, 'base64url');
  const seed = Buffer.from(jwk.d!, 'base64url');
  const publicBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  const check = randomBytes(4);
  let section = Buffer.concat([check, check, sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  const pad = (8 - (section.length % 8)) % 8;
  section = Buffer.concat([section, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString(''), count, sshString(publicBlob), sshString(section)]);
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${wrap(body.toString('base64'), 70)}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** PuTTY's unencrypted version 2 key file, which EC2 offers as the `ppk` format. */
function puttyKey(privateKey: KeyObject, comment: string): string {
  const jwk = privateKey.export({ format: 'jwk' });
  const ed = jwk.kty === 'OKP';
  const algorithm = ed ? 'ssh-ed25519' : 'ssh-rsa';
  const publicBlob = sshPublicBlob(createPublicKey(privateKey));
  const privateBlob = ed ? sshString(Buffer.from(jwk.d!, 'base64url')) : Buffer.concat([mpint(jwk.d!), mpint(jwk.p!), mpint(jwk.q!), mpint(jwk.qi!)]);
  const macKey = createHash('sha1').update('putty-private-key-file-mac-key').digest();
  const mac = createHmac('sha1', macKey)
    .update(Buffer.concat([sshString(algorithm), sshString('none'), sshString(comment), sshString(publicBlob), sshString(privateBlob)]))
    .digest('hex');
  const pubLines = wrap(publicBlob.toString('base64'), 64).split('\n');
  const privLines = wrap(privateBlob.toString('base64'), 64).split('\n');
  return [`PuTTY-User-Key-File-2: ${algorithm}`, 'Encryption: none', `Comment: ${comment}`, `Public-Lines: ${pubLines.length}`, ...pubLines,
    `Private-Lines: ${privLines.length}`, ...privLines, `Private-MAC: ${mac}`, ''].join('\r\n');
}

export interface NewKey {
  material: string;
  fingerprint: string;
  publicKey: string;
}

export function generateKey(type: 'rsa' | 'ed25519', format: 'pem' | 'ppk', name: string): NewKey {
  const { privateKey, publicKey } = type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const fingerprint = type === 'ed25519'
    ? ed25519Fingerprint(publicKey)
    : colonHex(createHash('sha1').update(privateKey.export({ type: 'pkcs8', format: 'der' })).digest());
  const material = format === 'ppk' ? puttyKey(privateKey, name)
    : type === 'ed25519' ? openSshPrivateKey(privateKey, name)
    : (privateKey.export({ type: 'pkcs1', format: 'pem' }) as string).trimEnd();
  return { material, fingerprint, publicKey: openSshPublicKey(publicKey, name) };
}

/** Reads an imported public key: OpenSSH (`ssh-rsa AAAA... comment`) or PEM; undefined when it is neither. */
export function importPublicKey(material: Buffer): { type: 'rsa' | 'ed25519'; fingerprint: string; publicKey: string } | undefined {
  const text = material.toString('utf8').trim();
  let key: KeyObject;
  try {
    const ssh = /^(ssh-rsa|ssh-ed25519) ([A-Za-z0-9+/=]+)(?: .*)?$/.exec(text);
    if (ssh) key = fromSshBlob(Buffer.from(ssh[2]!, 'base64'));
    else if (text.startsWith('-----BEGIN')) key = createPublicKey(text);
    else return undefined;
  } catch {
    return undefined;
  }
  if (key.asymmetricKeyType === 'ed25519') return { type: 'ed25519', fingerprint: ed25519Fingerprint(key), publicKey: openSshPublicKey(key, '').trim() };
  if (key.asymmetricKeyType !== 'rsa') return undefined;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 1024 || bits > 4096) return undefined;
  return { type: 'rsa', fingerprint: colonHex(createHash('md5').update(key.export({ type: 'spki', format: 'der' })).digest()), publicKey: openSshPublicKey(key, '').trim() };
}

function fromSshBlob(blob: Buffer): KeyObject {
  const parts: Buffer[] = [];
  for (let i = 0; i < blob.length;) {
    const len = blob.readUInt32BE(i);
    parts.push(blob.subarray(i + 4, i + 4 + len));
    i += 4 + len;
  }
  const type = parts[0]?.toString();
  if (type === 'ssh-ed25519') return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: parts[1]!.toString('base64url') }, format: 'jwk' });
  if (type === 'ssh-rsa') {
    const strip = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b).toString('base64url');
    return createPublicKey({ key: { kty: 'RSA', e: strip(parts[1]!), n: strip(parts[2]!) }, format: 'jwk' });
  }
  throw new Error(`unsupported key type ${type}`);
}
