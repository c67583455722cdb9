import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { config } from '../config.ts';
import { GROUPS } from '../identity.ts';
import { cognito } from './clients.ts';

/**
 * The user directory (a Cognito user pool): who may sign in, with which verified e-mail, in which
 * groups. Roles are these groups, never a claim a user can change.
 */
const ROLE_GROUPS: string[] = [GROUPS.engineer];

const isMissing = (error: unknown) => (error as Error).name === 'UserNotFoundException';

/**
 * Makes the user exist, enabled, with a verified e-mail (invited by mail when created) and in
 * exactly the role groups given; answers its `sub`. Every call is safe to repeat.
 */
export async function ensureDirectoryUser(email: string, name: string, groups: string[]): Promise<string> {
  const UserPoolId = config.userPoolId;
  let attributes: { Name?: string; Value?: string }[] | undefined;
  let enabled = true;
  try {
    const found = await cognito().send(new AdminGetUserCommand({ UserPoolId, Username: email }));
    attributes = found.UserAttributes;
    enabled = found.Enabled !== false;
  } catch (error) {
    if (!isMissing(error)) throw error;
    const created = await cognito().send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: email,
        UserAttributes: [
          { Name: 'email', Value: email },
          // The administrator vouches for the address; the invitation goes to it.
          { Name: 'email_verified', Value: 'true' },
          { Name: 'name', Value: name },
        ],
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
    attributes = created.User?.Attributes;
  }
  if (!enabled) await cognito().send(new AdminEnableUserCommand({ UserPoolId, Username: email }));
  const { Groups = [] } = await cognito().send(
    new AdminListGroupsForUserCommand({ UserPoolId, Username: email }),
  );
  const current = Groups.map((g) => g.GroupName as string).filter((g) => ROLE_GROUPS.includes(g));
  for (const group of groups.filter((g) => !current.includes(g)))
    await cognito().send(new AdminAddUserToGroupCommand({ UserPoolId, Username: email, GroupName: group }));
  for (const group of current.filter((g) => !groups.includes(g)))
    await cognito().send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId, Username: email, GroupName: group }),
    );
  const sub = attributes?.find((a) => a.Name === 'sub')?.Value;
  if (!sub) throw new Error(`the directory gave no sub for ${email}`);
  return sub;
}

/** A removed user can no longer sign in; the account stays for the record of their cases. */
export async function disableDirectoryUser(email: string): Promise<void> {
  try {
    await cognito().send(new AdminDisableUserCommand({ UserPoolId: config.userPoolId, Username: email }));
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/** What the directory says of a user: enabled or not, and whether they chose a password yet. */
export async function directoryUserState(
  email: string,
): Promise<{ enabled: boolean; invited: boolean } | undefined> {
  try {
    const found = await cognito().send(
      new AdminGetUserCommand({ UserPoolId: config.userPoolId, Username: email }),
    );
    return { enabled: found.Enabled !== false, invited: found.UserStatus === 'FORCE_CHANGE_PASSWORD' };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * Mails an invited user a new temporary password (the old one void); answers false if they have
 * chosen their own password meanwhile, which Cognito refuses to replace.
 */
export async function resendInvitation(email: string): Promise<boolean> {
  try {
    await cognito().send(
      new AdminCreateUserCommand({
        UserPoolId: config.userPoolId,
        Username: email,
        MessageAction: 'RESEND',
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'UnsupportedUserStateException') return false;
    throw error;
  }
}
