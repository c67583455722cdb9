/**
 * The directory's groups that give roles (SPEC §1). Roles come from these groups in the verified
 * token, never from a claim a user can change.
 */
export const GROUPS = { engineer: 'engineers', administrator: 'administrators' } as const;
