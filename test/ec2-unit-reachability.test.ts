import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as cidr from '../src/services/ec2/cidr.js';
import { aclDecision } from '../src/services/ec2/reachability.js';
import type { NaclDoc } from '../src/services/ec2/types.js';

const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const block = fc.tuple(ip, fc.integer({ min: 0, max: 32 })).map(([a, bits]) => cidr.parseCidr(`${a}/${bits}`)!);

describe('EC2 CIDR arithmetic', () => {
  it('an address survives the round trip through its integer', () => {
    fc.assert(fc.property(ip, (a) => cidr.intToIp(cidr.ipToInt(a)) === a.split('.').map(Number).join('.')));
  });

  it('a parsed block contains its own first and last address and is aligned to its size', () => {
    fc.assert(fc.property(block, (b) => {
      assert.equal(b.first % cidr.size(b), 0);
      assert.ok(cidr.containsIp(b, cidr.intToIp(b.first)) && cidr.containsIp(b, cidr.intToIp(b.last)));
      assert.equal(cidr.format(cidr.parseCidr(cidr.format(b))!), cidr.format(b));
    }));
  });

  it('overlap is symmetric, and containment implies overlap', () => {
    fc.assert(fc.property(block, block, (a, b) => {
      assert.equal(cidr.overlaps(a, b), cidr.overlaps(b, a));
      if (cidr.contains(a, b)) assert.ok(cidr.overlaps(a, b));
    }));
  });

  it('strict parsing refuses host bits and malformed text', () => {
    assert.equal(cidr.parseCidr('10.0.0.1/16', true), undefined);
    assert.equal(cidr.parseCidr('10.0.0/16'), undefined);
    assert.equal(cidr.parseCidr('10.0.0.0/33'), undefined);
    assert.equal(cidr.format(cidr.nth(cidr.parseCidr('172.31.0.0/16')!, 20, 2)), '172.31.32.0/20');
  });
});

describe('EC2 network ACL evaluation', () => {
  const acl = (entries: NaclDoc['Entries']): NaclDoc => ({ NetworkAclId: 'acl-1', VpcId: 'vpc-1', Entries: entries });
  const deny = { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny' as const, Egress: false, CidrBlock: '0.0.0.0/0' };

  it('the lowest-numbered matching rule decides, whatever the order the rules were added in', () => {
    const a = acl([
      { RuleNumber: 200, Protocol: '6', RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 22, To: 22 } },
      { RuleNumber: 100, Protocol: '6', RuleAction: 'deny', Egress: false, CidrBlock: '198.51.100.0/24', PortRange: { From: 0, To: 65535 } },
      deny,
    ]);
    assert.equal(aclDecision(a, false, '198.51.100.7', 'tcp', 22).RuleNumber, 100);
    assert.equal(aclDecision(a, false, '203.0.113.7', 'tcp', 22).RuleNumber, 200);
    assert.equal(aclDecision(a, false, '203.0.113.7', 'udp', 22).RuleNumber, 32767);
  });

  it('every packet meets some rule: the catch-all deny closes the list', () => {
    fc.assert(fc.property(ip, fc.integer({ min: 0, max: 65535 }), fc.constantFrom('tcp' as const, 'udp' as const), (a, port, proto) => {
      const d = aclDecision(acl([deny]), false, a, proto, port);
      assert.equal(d.RuleAction, 'deny');
    }));
  });
});
