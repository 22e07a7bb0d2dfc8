import type { Operation, ServiceModel } from '../protocols/model.js';
import type { RequestContext } from '../services/service.js';

/**
 * The point where IAM enforcement plugs in (DESIGN.md §1, the IAM issue). It runs after
 * validation and before the handler, with the caller, the operation and its input; it throws
 * the protocol's AccessDenied to refuse.
 */
export type Authorizer = (ctx: RequestContext, model: ServiceModel, op: Operation, input: Record<string, unknown>) => void | Promise<void>;

/** Without enforcement every authenticated caller may do everything, as root may. */
export const allowAll: Authorizer = () => {};
