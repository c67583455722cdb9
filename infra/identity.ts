import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  CfnUserPoolUser,
  CfnUserPoolUserToGroupAttachment,
  ClientAttributes,
  Mfa,
  UserPool,
  type UserPoolClient,
  UserPoolEmail,
  VerificationEmailStyle,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { GROUPS } from '../shared/identity.ts';

export interface IdentityProps {
  /** Invited as the first administrator, who provisions everyone else (`casework admin apply`). */
  administratorEmail?: string;
  /**
   * The desk's SES domain, once verified, for the pool's own mail (invitations, reset codes):
   * Cognito's built-in mail sends 50 a day per account, SES the account's quota.
   */
  sesMailDomain?: string;
}

/**
 * The desk's users: a Cognito user pool whose `sub` identifies each user, whose e-mail is
 * required, verified and immutable (no one becomes someone else by editing it), and whose groups
 * are the roles. No self sign-up: administrators invite users by provisioning the catalogue.
 */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Users', {
      signInAliases: { email: true },
      // People type their address as they please (Alice@Acme.example): Cognito's default would
      // refuse any capitals but the ones it was provisioned with. Fixed when the pool is created.
      signInCaseSensitive: false,
      selfSignUpEnabled: false,
      standardAttributes: {
        email: { required: true, mutable: false },
        fullname: { required: false, mutable: true },
      },
      autoVerify: { email: true },
      ...(props.sesMailDomain && {
        email: UserPoolEmail.withSES({
          fromEmail: `no-reply@${props.sesMailDomain}`,
          fromName: 'casework',
          sesVerifiedDomain: props.sesMailDomain,
          // The stack's own region, where the Mail construct verifies the domain.
          sesRegion: Stack.of(scope).region,
        }),
      }),
      // The invitation a provisioned contact or engineer receives (the local pool mails the same words).
      userInvitation: {
        emailSubject: 'Your casework account',
        emailBody:
          'Hello,<br><br>You have an account on the casework support desk. Sign in with your e-mail address {username}. Your temporary password is {####}<br><br>At your first sign-in you choose a new password and set up an authenticator app (a six-digit code at each sign-in). The temporary password expires in 7 days; ask your administrator for a new invitation after that.',
      },
      // The code a person who forgot their password is mailed (Cognito's verification message).
      userVerification: {
        emailSubject: 'Your casework verification code',
        emailBody:
          'Hello,<br><br>Your casework verification code is {####}<br><br>Type it on the sign-in page, with the new password you choose, within the hour. If you did not ask to reset your password, ignore this mail: your password is unchanged.',
        emailStyle: VerificationEmailStyle.CODE,
      },
      // Forgotten passwords are reset by a code mailed to the verified address (there are no phones).
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      keepOriginal: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG8',
      reason:
        'the Essentials tier with required TOTP MFA and a strong password policy; Plus-tier threat protection is an operator choice with its own cost',
    });
    // The portal may change a user's name, never the e-mail (it is not writable anyway). The
    // password flow lets an administrator sign in from the command line (TLS to Cognito). A
    // sign-in lasts a working day: the pages renew the hour-long ID token with the refresh token
    // until it expires, and revoke it at sign-out.
    this.client = this.userPool.addClient('Portal', {
      authFlows: { userSrp: true, userPassword: true },
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
      // Sign-in and "Forgot your password?" say nothing of whether an address has an account.
      preventUserExistenceErrors: true,
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    for (const group of Object.values(GROUPS)) {
      new CfnUserPoolGroup(this, `${group}Group`, { userPoolId: this.userPool.userPoolId, groupName: group });
    }
    if (props.administratorEmail) {
      const administrator = new CfnUserPoolUser(this, 'Administrator', {
        userPoolId: this.userPool.userPoolId,
        username: props.administratorEmail,
        userAttributes: [
          { name: 'email', value: props.administratorEmail },
          { name: 'email_verified', value: 'true' },
        ],
        desiredDeliveryMediums: ['EMAIL'],
      });
      const membership = new CfnUserPoolUserToGroupAttachment(this, 'AdministratorMembership', {
        userPoolId: this.userPool.userPoolId,
        groupName: GROUPS.administrator,
        username: props.administratorEmail,
      });
      membership.addResourceDependency(administrator);
      membership.addResourceDependency(
        this.node.findChild(`${GROUPS.administrator}Group`) as CfnUserPoolGroup,
      );
    }
    this.issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
  }
}
