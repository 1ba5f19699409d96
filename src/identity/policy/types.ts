/**
 * The public shapes of Wharf's IAM policy language: what a parsed policy looks like, what a
 * request to evaluate carries, and what evaluation answers. Pure data; no behaviour here.
 */

/** Which kind of policy a document is: decides which elements it may and must have. */
export type PolicyKind = 'identity' | 'resource' | 'trust' | 'boundary' | 'session';

/** The policy language versions IAM accepts; policy variables exist only in 2012-10-17. */
export type PolicyVersion = '2012-10-17' | '2008-10-17';

/**
 * A Principal or NotPrincipal element, normalised: `"*"`, or each principal type with its
 * values as a list (IAM accepts a string or an array for each).
 */
export type PrincipalElement =
  | '*'
  | {
      readonly AWS?: readonly string[];
      readonly Service?: readonly string[];
      readonly Federated?: readonly string[];
      readonly CanonicalUser?: readonly string[];
    };

/** A Condition element, normalised: operator → condition key → policy values (as strings). */
export type ConditionElement = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

/**
 * One statement as written (lists normalised to arrays, condition values to strings), so the
 * IAM API can show or simulate it; the matchers evaluation uses are compiled beside it.
 */
export interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principal?: PrincipalElement;
  readonly notPrincipal?: PrincipalElement;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly condition?: ConditionElement;
}

/** A parsed, validated, pre-compiled policy (matchers built once, reused for every evaluation). */
export interface Policy {
  readonly statements: readonly Statement[];
  /** The policy language version; `2008-10-17` when the document names none, as IAM assumes. */
  readonly version: PolicyVersion;
  readonly id?: string;
  /** The kind the document was validated as; evaluation treats a role trust policy specially. */
  readonly kind: PolicyKind;
  /** The managed policy's ARN when the caller gave one: named in explicit-deny messages. */
  readonly arn?: string;
}

/** Options for `parsePolicy` that depend on which API call is storing the document. */
export interface ParseOptions {
  /**
   * CreatePolicy and CreatePolicyVersion refuse documents older than 2012-10-17 ("Policy
   * document must be version 2012-10-17 or greater."); inline policies accept both.
   */
  readonly requireCurrentVersion?: boolean;
  /** The managed policy's ARN, carried on the result for denial messages. */
  readonly arn?: string;
  /**
   * IAM resolves each user/role principal of a trust policy when it is saved and refuses one
   * that does not exist ("Invalid principal in policy: ..."). The parser is pure, so the IAM
   * API passes the lookup in; without it only the form of each principal is checked.
   */
  readonly principalExists?: (arn: string) => boolean;
}

/** Who is calling. `arn` is the caller's ARN; for a service or federated principal, its name. */
export interface RequestPrincipal {
  readonly arn: string;
  readonly account: string;
  /** aws:userid: AIDA… for a user, `AROA…:session` for a role session, the account id for root. */
  readonly userId: string;
  /** aws:username: the friendly name of an IAM user (absent for roles and root, as in AWS). */
  readonly username?: string;
  readonly kind: 'root' | 'user' | 'assumed-role' | 'service' | 'federated';
  /** For a role session: the role's ARN with its path (derived from the session ARN without one). */
  readonly roleArn?: string;
  /** aws:PrincipalTag/<key>: the user's or role's tags (and session tags). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Everything evaluation needs about one request. Context values are multi-valued (string[]), keys compared case-insensitively as AWS does. */
export interface EvaluationRequest {
  readonly principal: RequestPrincipal;
  /** `service:Action`, e.g. `ecs:RunTask`. */
  readonly action: string;
  /** The resource ARN, or `*` for actions without resource-level permissions. */
  readonly resource: string;
  /** The account owning the resource; another account than the principal's makes the request cross-account. */
  readonly resourceAccount?: string;
  /** Condition keys: `aws:SourceIp`, `aws:CurrentTime`, `aws:RequestTag/team`, `ecs:cluster`, ... */
  readonly context: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The user's or role's attached and inline policies, and its groups' policies. */
  readonly identityPolicies: readonly Policy[];
  /** The resource's policy (a role trust policy when the action is sts:AssumeRole*). */
  readonly resourcePolicy?: Policy;
  readonly permissionsBoundary?: Policy;
  /** The session policies passed to AssumeRole (inline and managed), for role sessions. */
  readonly sessionPolicies?: readonly Policy[];
  /**
   * Organizations SCPs, one policy per level of the organization (root, OUs, account): each
   * level must allow. Empty or absent: the account is in no organization.
   */
  readonly serviceControlPolicies?: readonly Policy[];
}

/** The three outcomes AWS distinguishes. */
export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** Which type of policy denied a request (named in AWS's refusal text). */
export type PolicyType = 'identity' | 'resource' | 'trust' | 'boundary' | 'session' | 'scp';

/** The decision, and for a denial which policy type decided it. */
export interface EvaluationResult {
  readonly decision: Decision;
  readonly deniedBy?: PolicyType;
  /** True for an explicit deny. */
  readonly explicit?: boolean;
  /** The ARN of the managed policy whose Deny statement decided, when known. */
  readonly policyArn?: string;
  /** What granted an allowed request: the root user, identity-based policies, or the resource's policy. */
  readonly allowedBy?: 'root' | 'identity' | 'resource';
}
