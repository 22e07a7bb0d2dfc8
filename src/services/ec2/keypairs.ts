import type { KeyPairInfo, Operations } from '../../generated/types/ec2.js';
import { resourceId } from '../../ids.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers } from '../service.js';
import { applyFilters, type Fields } from './filters.js';
import { generateKey, importPublicKey } from './key-material.js';
import { all, put, remove, tagOnCreate, withTags, type Scope } from './store.js';
import type { KeyPairDoc } from './types.js';

/** Key pairs: EC2 keeps the public key and the fingerprint; the private key is shown once, at creation. */
function byName(s: Scope, name: string): KeyPairDoc | undefined {
  return all<KeyPairDoc>(s, 'key-pair').find((k) => k.KeyName === name);
}

export function mustKeyPair(s: Scope, name: string): KeyPairDoc {
  const key = byName(s, name);
  if (!key) throw new AwsError('InvalidKeyPair.NotFound', `The key pair '${name}' does not exist`, { status: 400 });
  return key;
}

function checkNew(s: Scope, name: string): void {
  if (name.length > 255 || !/^[\x20-\x7e]+$/.test(name)) throw new AwsError('InvalidParameterValue', `Value (${name}) for parameter keyName is invalid. Key names are 1 to 255 ASCII characters.`, { status: 400 });
  if (byName(s, name)) throw new AwsError('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`, { status: 400 });
}

const keyFields: Fields<KeyPairInfo> = {
  'key-pair-id': (k) => k.KeyPairId,
  'key-name': (k) => k.KeyName,
  fingerprint: (k) => k.KeyFingerprint,
  'key-type': (k) => k.KeyType,
};

export const handlers: Handlers<Operations> = {
  CreateKeyPair(input, ctx) {
    checkNew(ctx, input.KeyName);
    const type = input.KeyType ?? 'rsa';
    const key = generateKey(type, input.KeyFormat ?? 'pem', input.KeyName);
    const doc: KeyPairDoc = {
      KeyPairId: resourceId('key'), KeyName: input.KeyName, KeyType: type, KeyFingerprint: key.fingerprint,
      PublicKey: key.publicKey, CreateTime: new Date(ctx.clock.now()),
    };
    put(ctx, doc.KeyPairId, doc);
    const tags = tagOnCreate(ctx, doc.KeyPairId, input.TagSpecifications);
    return { KeyPairId: doc.KeyPairId, KeyName: doc.KeyName, KeyFingerprint: doc.KeyFingerprint, KeyMaterial: key.material, Tags: tags.length ? tags : undefined };
  },

  ImportKeyPair(input, ctx) {
    checkNew(ctx, input.KeyName);
    const key = importPublicKey(Buffer.from(input.PublicKeyMaterial));
    if (!key) throw new AwsError('InvalidKey.Format', 'Key is not in valid OpenSSH public key format', { status: 400 });
    const doc: KeyPairDoc = {
      KeyPairId: resourceId('key'), KeyName: input.KeyName, KeyType: key.type, KeyFingerprint: key.fingerprint,
      PublicKey: key.publicKey, CreateTime: new Date(ctx.clock.now()),
    };
    put(ctx, doc.KeyPairId, doc);
    const tags = tagOnCreate(ctx, doc.KeyPairId, input.TagSpecifications);
    return { KeyPairId: doc.KeyPairId, KeyName: doc.KeyName, KeyFingerprint: doc.KeyFingerprint, Tags: tags.length ? tags : undefined };
  },

  DescribeKeyPairs(input, ctx) {
    let keys = withTags(ctx, 'key-pair', all<KeyPairDoc>(ctx, 'key-pair'), (k) => k.KeyPairId);
    for (const name of input.KeyNames ?? []) mustKeyPair(ctx, name);
    for (const id of input.KeyPairIds ?? []) {
      if (!keys.some((k) => k.KeyPairId === id)) throw new AwsError('InvalidKeyPair.NotFound', `The key pair ID '${id}' does not exist`, { status: 400 });
    }
    if (input.KeyNames?.length) keys = keys.filter((k) => input.KeyNames!.includes(k.KeyName));
    if (input.KeyPairIds?.length) keys = keys.filter((k) => input.KeyPairIds!.includes(k.KeyPairId));
    const out = keys.map((k) => ({ ...k, PublicKey: input.IncludePublicKey ? k.PublicKey : undefined }));
    return { KeyPairs: applyFilters(out, input.Filters, keyFields) };
  },

  /** Deleting a key pair that does not exist by name succeeds, as in AWS. */
  DeleteKeyPair(input, ctx) {
    const key = input.KeyPairId ? all<KeyPairDoc>(ctx, 'key-pair').find((k) => k.KeyPairId === input.KeyPairId) : byName(ctx, input.KeyName ?? '');
    if (!key && input.KeyPairId) throw new AwsError('InvalidKeyPair.NotFound', `The key pair ID '${input.KeyPairId}' does not exist`, { status: 400 });
    if (!input.KeyPairId && !input.KeyName) throw new AwsError('MissingParameter', 'The request must contain the parameter KeyName or KeyPairId', { status: 400 });
    if (key) remove(ctx, key.KeyPairId);
    return { Return: true, KeyPairId: key?.KeyPairId };
  },
};
