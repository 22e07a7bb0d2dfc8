import { iamId } from '../../ids.js';
import type { Operations } from '../../generated/types/iam.js';
import type { Handlers } from '../service.js';
import { checkPath, deleteConflict, ensureNew, need, noSuchEntity, page, toGroup, toUser, type GroupRow, type UserRow } from './model.js';

/** IAM groups and their members. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html */
export const groups: Handlers<Operations> = {
  CreateGroup(input, ctx) {
    ensureNew(ctx, 'group', input.GroupName);
    const path = checkPath(input.Path);
    ctx.db.prepare('INSERT INTO iam_groups (account_id, name, id, path, create_date) VALUES (?, ?, ?, ?, ?)').run(ctx.accountId, input.GroupName, iamId('AGPA'), path, ctx.clock.now());
    return { Group: toGroup(need(ctx, 'group', input.GroupName)) };
  },

  GetGroup(input, ctx) {
    const group = need(ctx, 'group', input.GroupName);
    const members = ctx.db.prepare(`SELECT u.* FROM iam_users u JOIN iam_group_members m ON m.account_id = u.account_id AND m.user_name = u.name
      WHERE m.account_id = ? AND m.group_name = ? ORDER BY u.name`).all(ctx.accountId, group.name) as UserRow[];
    const { items, ...more } = page(members, input);
    return { Group: toGroup(group), Users: items.map((u) => toUser(ctx, u)), ...more };
  },

  ListGroups(input, ctx) {
    const rows = ctx.db.prepare('SELECT * FROM iam_groups WHERE account_id = ? AND path LIKE ? ORDER BY name').all(ctx.accountId, `${input.PathPrefix ?? '/'}%`) as GroupRow[];
    const { items, ...more } = page(rows, input);
    return { Groups: items.map(toGroup), ...more };
  },

  ListGroupsForUser(input, ctx) {
    const user = need(ctx, 'user', input.UserName);
    const rows = ctx.db.prepare(`SELECT g.* FROM iam_groups g JOIN iam_group_members m ON m.account_id = g.account_id AND m.group_name = g.name
      WHERE m.account_id = ? AND m.user_name = ? ORDER BY g.name`).all(ctx.accountId, user.name) as GroupRow[];
    const { items, ...more } = page(rows, input);
    return { Groups: items.map(toGroup), ...more };
  },

  UpdateGroup(input, ctx) {
    const group = need(ctx, 'group', input.GroupName);
    const name = input.NewGroupName ?? group.name;
    const path = input.NewPath !== undefined ? checkPath(input.NewPath) : group.path;
    if (name.toLowerCase() !== group.name.toLowerCase()) ensureNew(ctx, 'group', name);
    ctx.db.transaction(() => {
      ctx.db.prepare('UPDATE iam_groups SET name = ?, path = ? WHERE account_id = ? AND name = ?').run(name, path, ctx.accountId, group.name);
      ctx.db.prepare('UPDATE iam_group_members SET group_name = ? WHERE account_id = ? AND group_name = ?').run(name, ctx.accountId, group.name);
      ctx.db.prepare("UPDATE iam_attachments SET entity_name = ? WHERE account_id = ? AND entity_type = 'group' AND entity_name = ?").run(name, ctx.accountId, group.name);
      ctx.db.prepare("UPDATE iam_inline_policies SET entity_name = ? WHERE account_id = ? AND entity_type = 'group' AND entity_name = ?").run(name, ctx.accountId, group.name);
    })();
  },

  DeleteGroup(input, ctx) {
    const group = need(ctx, 'group', input.GroupName);
    const has = (sql: string) => ctx.db.prepare(sql).get(ctx.accountId, group.name) !== undefined;
    if (has('SELECT 1 FROM iam_group_members WHERE account_id = ? AND group_name = ?')) throw deleteConflict('Cannot delete entity, must remove users from group first.');
    if (has("SELECT 1 FROM iam_inline_policies WHERE account_id = ? AND entity_type = 'group' AND entity_name = ?")) throw deleteConflict('Cannot delete entity, must delete policies first.');
    if (has("SELECT 1 FROM iam_attachments WHERE account_id = ? AND entity_type = 'group' AND entity_name = ?")) throw deleteConflict('Cannot delete entity, must detach all policies first.');
    ctx.db.prepare('DELETE FROM iam_groups WHERE account_id = ? AND name = ?').run(ctx.accountId, group.name);
  },

  AddUserToGroup(input, ctx) {
    const group = need(ctx, 'group', input.GroupName);
    const user = need(ctx, 'user', input.UserName);
    ctx.db.prepare('INSERT INTO iam_group_members (account_id, group_name, user_name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(ctx.accountId, group.name, user.name);
  },

  RemoveUserFromGroup(input, ctx) {
    const group = need(ctx, 'group', input.GroupName);
    const user = need(ctx, 'user', input.UserName);
    const gone = ctx.db.prepare('DELETE FROM iam_group_members WHERE account_id = ? AND group_name = ? AND user_name = ?').run(ctx.accountId, group.name, user.name);
    if (gone.changes === 0) throw noSuchEntity(`The user with name ${user.name} cannot be found in group ${group.name}.`);
  },
};
