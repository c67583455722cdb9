import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { GROUPS } from '#shared/identity.ts';
import { close, listen, type Service, urlOf } from './http.ts';

/**
 * The part of a Cognito user pool casework uses, behind the Cognito Identity Provider JSON API
 * (`AdminCreateUser`, `AdminGetUser`, groups, enable/disable), kept in one file of the data folder:
 * the admin function provisions users through the real SDK client, and the local issuer signs
 * tokens with the claims Cognito would put in an ID token. As the stack invites the administrator
 * named at deployment, the pool starts with one administrator.
 */
export const LOCAL_ADMINISTRATOR = 'admin@support.example';
export const LOCAL_USER_POOL_ID = 'us-east-1_local';

interface PoolUser {
  sub: string;
  email: string;
  name?: string;
  enabled: boolean;
  groups: string[];
}

class CognitoError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class LocalUserPool {
  private readonly file: string;
  private users: Record<string, PoolUser>;

  constructor(file: string) {
    this.file = file;
    this.users = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    if (!this.users[LOCAL_ADMINISTRATOR]) {
      this.users[LOCAL_ADMINISTRATOR] = {
        sub: randomUUID(),
        email: LOCAL_ADMINISTRATOR,
        name: 'Administrator',
        enabled: true,
        groups: [GROUPS.administrator],
      };
      this.save();
    }
  }

  private save() {
    writeFileSync(this.file, JSON.stringify(this.users, null, 2));
  }

  /** The user signing in with this e-mail, if enabled: what the local issuer puts in a token. */
  signIn(email: string): PoolUser | undefined {
    const user = this.users[email.toLowerCase()];
    return user?.enabled ? user : undefined;
  }

  private user(username: unknown): PoolUser {
    const user = typeof username === 'string' ? this.users[username.toLowerCase()] : undefined;
    if (!user) throw new CognitoError('UserNotFoundException', 'User does not exist.');
    return user;
  }

  private view(user: PoolUser) {
    return [
      { Name: 'sub', Value: user.sub },
      { Name: 'email', Value: user.email },
      { Name: 'email_verified', Value: 'true' },
      ...(user.name ? [{ Name: 'name', Value: user.name }] : []),
    ];
  }

  private group(name: unknown): string {
    if (name !== GROUPS.engineer && name !== GROUPS.administrator)
      throw new CognitoError('ResourceNotFoundException', 'Group not found.');
    return name;
  }

  /** One API call (`X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`). */
  handle(action: string, body: Record<string, unknown>): unknown {
    switch (action) {
      case 'AdminCreateUser': {
        const attributes = Object.fromEntries(
          ((body.UserAttributes ?? []) as { Name: string; Value: string }[]).map((a) => [a.Name, a.Value]),
        );
        const email = String(attributes.email ?? body.Username).toLowerCase();
        if (this.users[email])
          throw new CognitoError('UsernameExistsException', 'User account already exists.');
        const user = { sub: randomUUID(), email, name: attributes.name, enabled: true, groups: [] };
        this.users[email] = user;
        this.save();
        return {
          User: {
            Username: user.sub,
            Attributes: this.view(user),
            Enabled: true,
            UserStatus: 'FORCE_CHANGE_PASSWORD',
          },
        };
      }
      case 'AdminGetUser': {
        const user = this.user(body.Username);
        return {
          Username: user.sub,
          UserAttributes: this.view(user),
          Enabled: user.enabled,
          UserStatus: 'CONFIRMED',
        };
      }
      case 'AdminListGroupsForUser':
        return { Groups: this.user(body.Username).groups.map((GroupName) => ({ GroupName })) };
      case 'AdminAddUserToGroup': {
        const user = this.user(body.Username);
        const group = this.group(body.GroupName);
        if (!user.groups.includes(group)) user.groups.push(group);
        this.save();
        return {};
      }
      case 'AdminRemoveUserFromGroup': {
        const user = this.user(body.Username);
        const group = this.group(body.GroupName);
        user.groups = user.groups.filter((g) => g !== group);
        this.save();
        return {};
      }
      case 'AdminEnableUser':
      case 'AdminDisableUser':
        this.user(body.Username).enabled = action === 'AdminEnableUser';
        this.save();
        return {};
      default:
        throw new CognitoError('InvalidAction', `${action} is not emulated`);
    }
  }

  /** Serves the JSON 1.1 protocol the SDK speaks. */
  async serve(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const action = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const type = { 'content-type': 'application/x-amz-json-1.1' };
    try {
      const result = this.handle(action, JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      res.writeHead(200, type).end(JSON.stringify(result));
    } catch (error) {
      const err = error as Error;
      res.writeHead(400, type).end(JSON.stringify({ __type: err.name, message: err.message }));
    }
  }
}

/** The local user pool behind its API port (the SDK's `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`). */
export async function startCognito(
  port: number,
  dataDir: string,
): Promise<Service & { pool: LocalUserPool }> {
  const pool = new LocalUserPool(path.join(dataDir, 'cognito.json'));
  const server = http.createServer((req, res) => void pool.serve(req, res));
  const bound = await listen(server, port);
  return { url: urlOf(bound), pool, stop: () => close(server) };
}
