import { otherCommits, type Database } from './database.js';

/**
 * Access keys whose secrets Nimbus knows: temporary credentials from STS, and later IAM users'
 * keys. The gateway reads them on every signed request, so this lives in the core state.
 */
export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  accountId: string;
  /** ARN of the principal the key acts as. */
  principalArn: string;
  /** The principal's unique id as GetCallerIdentity reports it (`AROA...:session`). */
  userId: string;
  /** Clock milliseconds when the key stops working; none for long-term keys. */
  expiresAt?: number;
  active: boolean;
  /** What STS recorded about a temporary session, for policy evaluation. */
  session?: SessionContext;
  /** When a long-term key last signed a request, and for which service and region. */
  lastUsed?: { at: number; service: string; region: string };
}

/** The facts of an STS session that IAM evaluates: its role, session policies and tags. */
export interface SessionContext {
  /** For role sessions: the role's ARN, with its path. */
  roleArn?: string;
  /** For federated users (GetFederationToken): the IAM user whose permissions the session narrows. */
  userArn?: string;
  /** Session policy documents (the inline Policy and the documents of PolicyArns). */
  policies?: string[];
  tags?: Record<string, string>;
  /** Session tags that pass on to roles this session assumes (role chaining). */
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
  /** Clock milliseconds an MFA code was checked for this session (aws:MultiFactorAuthPresent). */
  mfaAt?: number;
  /** Clock milliseconds the session was issued (aws:TokenIssueTime). */
  issuedAt: number;
}

interface Row {
  access_key_id: string;
  secret_access_key: string;
  session_token: string | null;
  account_id: string;
  principal_arn: string;
  user_id: string;
  expires_at: number | null;
  active: number;
  session: string | null;
  last_used_at: number | null;
  last_used_service: string | null;
  last_used_region: string | null;
}

/** Keys remembered, found or not; requests may name any key, so the cache starts over past this. */
const MAX_CACHED = 10_000;

export class CredentialStore {
  private readonly byId;
  private readonly insert;
  private readonly db;
  private readonly touched = new Map<string, number>();
  /**
   * Every signed request looks its key up, most often the same few keys (or `test`, which is not
   * stored): kept by access key id, `null` for none. Each write here drops the cache, as do a
   * reset and another connection's commit (another Nimbus on the same data directory).
   */
  private readonly cache = new Map<string, Credential | null>();
  private readonly committedElsewhere: () => boolean;
  private cachedResets = 0;

  constructor(db: Database) {
    db.migrate([{
      id: 'core/001-credentials',
      sql: `CREATE TABLE credentials (
        access_key_id TEXT PRIMARY KEY, secret_access_key TEXT NOT NULL, session_token TEXT,
        account_id TEXT NOT NULL, principal_arn TEXT NOT NULL, user_id TEXT NOT NULL,
        expires_at BIGINT, active INTEGER NOT NULL DEFAULT 1, created_at BIGINT NOT NULL)`,
    }, {
      id: 'core/002-credential-session',
      sql: 'ALTER TABLE credentials ADD COLUMN session TEXT',
    }, {
      id: 'core/003-credential-last-used',
      sql: `ALTER TABLE credentials ADD COLUMN last_used_at BIGINT;
        ALTER TABLE credentials ADD COLUMN last_used_service TEXT;
        ALTER TABLE credentials ADD COLUMN last_used_region TEXT;`,
    }]);
    this.db = db;
    this.committedElsewhere = otherCommits(db.sql);
    this.cachedResets = db.resets;
    this.byId = db.sql.prepare('SELECT * FROM credentials WHERE access_key_id = ?');
    this.insert = db.sql.prepare(`INSERT INTO credentials
      (access_key_id, secret_access_key, session_token, account_id, principal_arn, user_id, expires_at, active, created_at, session)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** The key's credential; callers share the object and must not change it. */
  get(accessKeyId: string): Credential | undefined {
    // Asked every time, so that it keeps count even when a local write already emptied the cache.
    const elsewhere = this.committedElsewhere();
    if (elsewhere || this.cachedResets !== this.db.resets) {
      this.cache.clear();
      this.cachedResets = this.db.resets;
    }
    const hit = this.cache.get(accessKeyId);
    if (hit !== undefined) return hit ?? undefined;
    const found = this.read(accessKeyId);
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(accessKeyId, found ?? null);
    return found;
  }

  private read(accessKeyId: string): Credential | undefined {
    const row = this.byId.get(accessKeyId) as Row | undefined;
    if (!row) return undefined;
    return {
      accessKeyId: row.access_key_id,
      secretAccessKey: row.secret_access_key,
      ...(row.session_token ? { sessionToken: row.session_token } : {}),
      accountId: row.account_id,
      principalArn: row.principal_arn,
      userId: row.user_id,
      ...(row.expires_at !== null ? { expiresAt: row.expires_at } : {}),
      active: row.active === 1,
      ...(row.session ? { session: JSON.parse(row.session) as SessionContext } : {}),
      ...(row.last_used_at !== null ? { lastUsed: { at: row.last_used_at, service: row.last_used_service ?? '', region: row.last_used_region ?? '' } } : {}),
    };
  }

  add(c: Credential, now: number): void {
    this.cache.clear();
    this.insert.run(c.accessKeyId, c.secretAccessKey, c.sessionToken ?? null, c.accountId, c.principalArn, c.userId, c.expiresAt ?? null, c.active ? 1 : 0, now,
      c.session ? JSON.stringify(c.session) : null);
  }

  /** IAM turns a user's key on or off (UpdateAccessKey) and renames its principal (UpdateUser). */
  update(accessKeyId: string, change: { active?: boolean; principalArn?: string }): void {
    this.cache.clear();
    if (change.active !== undefined) this.db.sql.prepare('UPDATE credentials SET active = ? WHERE access_key_id = ?').run(change.active ? 1 : 0, accessKeyId);
    if (change.principalArn !== undefined) this.db.sql.prepare('UPDATE credentials SET principal_arn = ? WHERE access_key_id = ?').run(change.principalArn, accessKeyId);
  }

  /**
   * Records that a key signed a request (IAM's GetAccessKeyLastUsed). At most one write per key
   * a minute, so that a busy key does not turn every request into a database write.
   */
  touch(accessKeyId: string, at: number, service: string, region: string): void {
    const previous = this.touched.get(accessKeyId);
    if (previous !== undefined && at - previous < 60_000) return;
    this.touched.set(accessKeyId, at);
    this.cache.clear();
    this.db.sql.prepare('UPDATE credentials SET last_used_at = ?, last_used_service = ?, last_used_region = ? WHERE access_key_id = ?').run(at, service, region, accessKeyId);
  }

  remove(accessKeyId: string): void {
    this.cache.clear();
    this.db.sql.prepare('DELETE FROM credentials WHERE access_key_id = ?').run(accessKeyId);
  }
}
