import { z } from 'zod';

const path = z.string().startsWith('/');

/**
 * A group's own spec: what a group holds besides its apps and subgroups (those are apps' and
 * subgroups' own events). `dependencies` are absolute paths of apps or groups.
 */
export const groupSpecSchema = z.object({
  id: path,
  dependencies: z.array(path),
  enforceRole: z.boolean(),
});

/**
 * A group was created by a group command (POST or PUT /v2/groups). Apps with a path create their
 * parent groups implicitly; only groups named by a group command have events. `version` is the
 * command's version: the one `GET /v2/groups/{id}/versions` lists. Key: the group id.
 */
export const groupCreatedV1 = z.object({ group: groupSpecSchema, version: z.string().datetime({ offset: true }) });

/** A group command changed the group or anything in it (its spec is written whole). Key: the group id. */
export const groupUpdatedV1 = groupCreatedV1;

/** The group is gone (its apps have their own AppDeleted). Key: the group id. */
export const groupDeletedV1 = z.object({ groupId: path, version: z.string().datetime({ offset: true }) });
