import type { IamInstanceProfileAssociation, Operations } from '../../generated/types/ec2.js';
import { AwsError } from '../../protocols/errors.js';
import type { Handlers, RequestContext } from '../service.js';
import { applyFilters, paginate, type Fields } from './filters.js';
import { mustInstances } from './instances.js';
import { instanceProfile } from './launch.js';
import { all, put } from './store.js';
import type { InstanceDoc } from './types.js';

/**
 * The IAM role an instance runs as, through its instance profile: given at launch or attached,
 * replaced and detached later, one association per instance. The profile is named by ARN or
 * name and not looked up in IAM (no service reads another's state).
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/attach-iam-role.html
 */
type Ctx = RequestContext;

function association(i: InstanceDoc, state: IamInstanceProfileAssociation['State']): IamInstanceProfileAssociation {
  const p = i.IamInstanceProfile!;
  return { AssociationId: p._associationId, InstanceId: i.InstanceId, IamInstanceProfile: { Arn: p.Arn, Id: p.Id }, State: state, Timestamp: new Date(p._associatedAt) };
}

/** The instance that holds an association, or AWS's NotFound error. */
function byAssociation(ctx: Ctx, id: string): InstanceDoc {
  const found = all<InstanceDoc>(ctx, 'instance').find((i) => i.IamInstanceProfile?._associationId === id);
  if (!found) throw new AwsError('InvalidAssociationID.NotFound', `An association ID ${id} does not exist`, { status: 400 });
  return found;
}

const fields: Fields<IamInstanceProfileAssociation> = {
  'instance-id': (a) => a.InstanceId,
  state: (a) => a.State,
};

export const handlers: Handlers<Operations> = {
  /** An association answers `associating`; the next read shows it `associated` (DESIGN.md §3). */
  AssociateIamInstanceProfile(input, ctx) {
    const [i] = mustInstances(ctx, [input.InstanceId]);
    if (i!.State.Name !== 'running' && i!.State.Name !== 'stopped' && i!.State.Name !== 'pending') {
      throw new AwsError('IncorrectInstanceState', `The instance '${i!.InstanceId}' is not in a state from which an instance profile can be associated.`, { status: 400 });
    }
    if (i!.IamInstanceProfile) throw new AwsError('IncorrectState', `There is an existing association for instance ${i!.InstanceId}`, { status: 400 });
    i!.IamInstanceProfile = instanceProfile(ctx, input.IamInstanceProfile);
    put(ctx, i!.InstanceId, i!);
    return { IamInstanceProfileAssociation: association(i!, 'associating') };
  },

  ReplaceIamInstanceProfileAssociation(input, ctx) {
    const i = byAssociation(ctx, input.AssociationId);
    i.IamInstanceProfile = instanceProfile(ctx, input.IamInstanceProfile);
    put(ctx, i.InstanceId, i);
    return { IamInstanceProfileAssociation: association(i, 'associating') };
  },

  DisassociateIamInstanceProfile(input, ctx) {
    const i = byAssociation(ctx, input.AssociationId);
    const gone = association(i, 'disassociating');
    delete i.IamInstanceProfile;
    put(ctx, i.InstanceId, i);
    return { IamInstanceProfileAssociation: gone };
  },

  DescribeIamInstanceProfileAssociations(input, ctx) {
    let list = all<InstanceDoc>(ctx, 'instance').filter((i) => i.IamInstanceProfile && i.State.Name !== 'terminated').map((i) => association(i, 'associated'));
    if (input.AssociationIds?.length) {
      const missing = input.AssociationIds.find((id) => !list.some((a) => a.AssociationId === id));
      if (missing) throw new AwsError('InvalidAssociationID.NotFound', `An association ID ${missing} does not exist`, { status: 400 });
      list = list.filter((a) => input.AssociationIds!.includes(a.AssociationId!));
    }
    const { page, NextToken } = paginate(applyFilters(list, input.Filters, fields), input.MaxResults, input.NextToken, { min: 5, max: 1000 });
    return { IamInstanceProfileAssociations: page, NextToken };
  },
};
