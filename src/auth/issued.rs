//! What the emulator issues, as the clouds' identity services do: Huawei IAM tokens
//! (`X-Subject-Token`, presented as `X-Auth-Token`) and temporary credentials of both clouds
//! (an access key, its secret and a security token, which signs requests until it expires).
//!
//! They live in the database ([`IssuedRepository`]), so every process sharing it accepts them
//! and they survive a restart. Tokens and security tokens are stored as SHA-256 hashes only; a
//! temporary secret is stored as it is, since a signature can only be checked with it. Each
//! token says what it was issued for and until when, so an expired one is recognised as such
//! even after its row has been pruned (rows are pruned once expired, whenever one is issued).

use std::future::Future;
use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::credentials::{HuaweiIdentity, Secret};
use super::signing::rfc3986_encode;
use crate::domain::{Provider, StorageError};

/// Where a Huawei principal may act: a token's scope (a project, the domain, or none: global
/// services only), or, for a key, wherever its user may.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HuaweiScope {
    Project {
        id: String,
        name: String,
    },
    Domain,
    Unscoped,
    /// A key's (a file's or a temporary one): every project its identity may use.
    AsUser,
}

/// Who a Huawei token or temporary key acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HuaweiPrincipal {
    pub identity: HuaweiIdentity,
    /// A token's scope; [`HuaweiScope::AsUser`] for a temporary key.
    pub scope: HuaweiScope,
}

impl HuaweiPrincipal {
    /// Whether it may act in `project_id`: a project-scoped token only in its project, another
    /// token in none, a key wherever its identity may.
    pub fn may_use_project(&self, project_id: &str) -> bool {
        match &self.scope {
            HuaweiScope::Project { id, .. } => id == project_id,
            HuaweiScope::Domain | HuaweiScope::Unscoped => false,
            HuaweiScope::AsUser => self.identity.may_use_project(project_id),
        }
    }
}

/// A RAM role session: who an Alibaba STS key acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssumedRole {
    pub account_id: String,
    pub role_name: String,
    pub role_id: String,
    pub session_name: String,
}

impl AssumedRole {
    /// `<roleId>:<RoleSessionName>`.
    pub fn assumed_role_id(&self) -> String {
        format!("{}:{}", self.role_id, self.session_name)
    }
}

/// Who signed an Alibaba request: an account's own key, or an STS key of a role session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlibabaCaller {
    Account { account_id: String },
    AssumedRole(AssumedRole),
}

impl AlibabaCaller {
    pub fn account_id(&self) -> &str {
        match self {
            AlibabaCaller::Account { account_id } => account_id,
            AlibabaCaller::AssumedRole(role) => &role.account_id,
        }
    }
}

/// A stored token: the hash of the token, whom it is for (JSON), and its lifetime.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub token_hash: String,
    pub principal: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A stored temporary key: its secret, the hash of its security token, whom it is for (JSON)
/// and its lifetime.
#[derive(Debug, Clone)]
pub struct TemporaryKeyRecord {
    pub provider: Provider,
    pub access_key_id: String,
    pub secret: Secret,
    pub token_hash: String,
    pub principal: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Where issued tokens and temporary keys are kept.
pub trait IssuedRepository: Send + Sync {
    /// Records a token; rows expired by `now` are pruned first, in the same transaction.
    fn insert_token(
        &self,
        record: &TokenRecord,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    fn token(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<TokenRecord>, StorageError>> + Send;

    /// Records a temporary key (unique per provider); rows expired by `now` are pruned first.
    fn insert_temporary_key(
        &self,
        record: &TemporaryKeyRecord,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    fn temporary_key(
        &self,
        provider: Provider,
        access_key_id: &str,
    ) -> impl Future<Output = Result<Option<TemporaryKeyRecord>, StorageError>> + Send;
}

/// How long what is issued lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lifetimes {
    /// The most any token or temporary credential lives, whatever was asked (`--max-credential-
    /// lifetime`); `None`: as the cloud says.
    pub cap: Option<Duration>,
}

impl Lifetimes {
    /// `asked`, capped.
    fn of(self, asked: TimeDelta) -> TimeDelta {
        match self.cap.and_then(|cap| TimeDelta::from_std(cap).ok()) {
            Some(cap) if cap < asked => cap,
            _ => asked,
        }
    }
}

/// How long a Huawei token lives (IAM: 24 hours).
pub const HUAWEI_TOKEN_LIFETIME: TimeDelta = TimeDelta::hours(24);

/// A token as the caller gets it: the token itself (never stored) and its lifetime.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Temporary credentials as the caller gets them.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub access_key_id: String,
    pub secret: Secret,
    pub security_token: String,
    pub expires_at: DateTime<Utc>,
}

/// A token presented back, with whom it is for.
#[derive(Debug, Clone)]
pub struct ValidToken {
    pub principal: HuaweiPrincipal,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A temporary key presented back: its secret (to check the signature with) and whom it acts
/// for (`P`: [`HuaweiPrincipal`] or [`AssumedRole`]).
#[derive(Debug, Clone)]
pub struct ValidKey<P> {
    pub secret: Secret,
    pub principal: P,
    pub expires_at: DateTime<Utc>,
}

/// Why a token or temporary key was refused. Each cloud words these its own way.
#[derive(Debug)]
pub enum Refusal {
    /// A temporary key was used without its security token.
    MissingToken,
    /// Not a token the emulator issued (garbled, forged, or of another kind).
    Malformed,
    /// A security token issued for another access key.
    Mismatch,
    /// It expired at this time.
    Expired(DateTime<Utc>),
    /// A well-formed, unexpired token or key that the database does not know (it was reset).
    Unknown,
    Storage(StorageError),
}

impl From<StorageError> for Refusal {
    fn from(err: StorageError) -> Self {
        Refusal::Storage(err)
    }
}

/// What a token is, which its prefix shows (and its payload repeats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A Huawei IAM token (`X-Subject-Token`).
    HuaweiIam,
    /// A Huawei temporary key's `securitytoken`.
    HuaweiTemporary,
    /// An Alibaba STS `SecurityToken`.
    AlibabaSts,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::HuaweiIam => "MIIF",
            Kind::HuaweiTemporary => "gQpjbi",
            Kind::AlibabaSts => "CAIS",
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Kind::HuaweiIam => "hw-token",
            Kind::HuaweiTemporary => "hw-sts",
            Kind::AlibabaSts => "ali-sts",
        }
    }
}

/// A token's readable part: what it is, the access key it belongs to (empty for a Huawei
/// token) and when it expires. The random part makes it unguessable; the database, which
/// keeps its hash, makes it valid.
struct Payload {
    access_key_id: String,
    expires_at: DateTime<Utc>,
}

fn mint(kind: Kind, access_key_id: &str, expires_at: DateTime<Utc>) -> String {
    let payload = format!(
        "{}:{access_key_id}:{}:{}",
        kind.tag(),
        expires_at.timestamp_millis(),
        random_text(48, HEX)
    );
    format!(
        "{}{}",
        kind.prefix(),
        base64::engine::general_purpose::STANDARD.encode(payload)
    )
}

fn read(kind: Kind, token: &str) -> Option<Payload> {
    let encoded = token.strip_prefix(kind.prefix())?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let mut parts = text.split(':');
    let (tag, access_key_id, expires, random) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if tag != kind.tag() || parts.next().is_some() || random.len() != 48 {
        return None;
    }
    let expires_at = DateTime::from_timestamp_millis(expires.parse().ok()?)?;
    Some(Payload {
        access_key_id: access_key_id.to_owned(),
        expires_at,
    })
}

/// Lower-case hex SHA-256 of a token: what the database keeps.
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

const HEX: &[u8] = b"0123456789abcdef";
const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `length` characters of `alphabet`, from the system's random source.
fn random_text(length: usize, alphabet: &[u8]) -> String {
    let mut text = String::with_capacity(length);
    while text.len() < length {
        for byte in uuid::Uuid::new_v4().as_bytes() {
            // Rejection sampling keeps the characters uniform.
            let limit = 256 - 256 % alphabet.len();
            if usize::from(*byte) < limit && text.len() < length {
                text.push(alphabet[usize::from(*byte) % alphabet.len()] as char);
            }
        }
    }
    text
}

/// Issues tokens and temporary keys, and recognises them when they come back.
#[derive(Clone)]
pub struct Issued<R> {
    store: R,
    lifetimes: Lifetimes,
}

impl<R: IssuedRepository> Issued<R> {
    pub fn new(store: R, lifetimes: Lifetimes) -> Self {
        Self { store, lifetimes }
    }

    /// A Huawei IAM token for `principal`, valid for 24 hours (or the cap).
    pub async fn issue_huawei_token(
        &self,
        principal: &HuaweiPrincipal,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, StorageError> {
        let expires_at = now + self.lifetimes.of(HUAWEI_TOKEN_LIFETIME);
        let token = mint(Kind::HuaweiIam, "", expires_at);
        let record = TokenRecord {
            token_hash: token_hash(&token),
            principal: to_json(principal),
            issued_at: now,
            expires_at,
        };
        self.store.insert_token(&record, now).await?;
        Ok(IssuedToken {
            token,
            issued_at: now,
            expires_at,
        })
    }

    /// The principal of a Huawei token presented at `now`.
    pub async fn huawei_token(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<ValidToken, Refusal> {
        let payload = read(Kind::HuaweiIam, token).ok_or(Refusal::Malformed)?;
        if payload.expires_at <= now {
            return Err(Refusal::Expired(payload.expires_at));
        }
        let record = self
            .store
            .token(&token_hash(token))
            .await?
            .ok_or(Refusal::Unknown)?;
        if record.expires_at <= now {
            return Err(Refusal::Expired(record.expires_at));
        }
        let principal = from_json(&record.principal)?;
        Ok(ValidToken {
            principal,
            issued_at: record.issued_at,
            expires_at: record.expires_at,
        })
    }

    /// Huawei temporary credentials (`CreateTemporaryAccessKeyByToken`) for `principal`, for
    /// `duration` (or the cap).
    pub async fn issue_huawei_key(
        &self,
        principal: &HuaweiPrincipal,
        duration: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<IssuedKey, StorageError> {
        let access_key_id = random_text(20, UPPER_ALNUM);
        self.issue_key(
            Provider::Huawei,
            Kind::HuaweiTemporary,
            access_key_id,
            to_json(principal),
            duration,
            now,
        )
        .await
    }

    /// Alibaba STS credentials (`AssumeRole`) for a role session, for `duration` (or the cap).
    pub async fn issue_alibaba_key(
        &self,
        role: &AssumedRole,
        duration: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<IssuedKey, StorageError> {
        let access_key_id = format!("STS.{}", random_text(25, ALNUM));
        self.issue_key(
            Provider::Alibaba,
            Kind::AlibabaSts,
            access_key_id,
            to_json(role),
            duration,
            now,
        )
        .await
    }

    async fn issue_key(
        &self,
        provider: Provider,
        kind: Kind,
        access_key_id: String,
        principal: String,
        duration: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<IssuedKey, StorageError> {
        let expires_at = now + self.lifetimes.of(duration);
        let security_token = mint(kind, &access_key_id, expires_at);
        let secret = Secret::new(random_text(40, ALNUM));
        let record = TemporaryKeyRecord {
            provider,
            access_key_id: access_key_id.clone(),
            secret: secret.clone(),
            token_hash: token_hash(&security_token),
            principal,
            issued_at: now,
            expires_at,
        };
        self.store.insert_temporary_key(&record, now).await?;
        Ok(IssuedKey {
            access_key_id,
            secret,
            security_token,
            expires_at,
        })
    }

    /// Whether `access_key_id` looks like a Huawei temporary key the caller presents with
    /// `security_token`; `Ok(None)` when it is no temporary key at all (no token, no row).
    pub async fn huawei_key(
        &self,
        access_key_id: &str,
        security_token: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<ValidKey<HuaweiPrincipal>>, Refusal> {
        self.temporary_key(
            Provider::Huawei,
            Kind::HuaweiTemporary,
            access_key_id,
            security_token,
            now,
        )
        .await
    }

    /// As [`Issued::huawei_key`], for an Alibaba STS key.
    pub async fn alibaba_key(
        &self,
        access_key_id: &str,
        security_token: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<ValidKey<AssumedRole>>, Refusal> {
        self.temporary_key(
            Provider::Alibaba,
            Kind::AlibabaSts,
            access_key_id,
            security_token,
            now,
        )
        .await
    }

    /// The role session of an STS key, unchecked (with `--auth off`, nothing is).
    pub async fn alibaba_role(
        &self,
        access_key_id: &str,
    ) -> Result<Option<AssumedRole>, StorageError> {
        match self
            .store
            .temporary_key(Provider::Alibaba, access_key_id)
            .await?
        {
            Some(record) => from_json(&record.principal).map(Some),
            None => Ok(None),
        }
    }

    /// The checks, in order: a token is required (when the key exists or the token is given),
    /// readable, for this key, unexpired, and the one the key was issued with.
    async fn temporary_key<P: for<'de> Deserialize<'de>>(
        &self,
        provider: Provider,
        kind: Kind,
        access_key_id: &str,
        security_token: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<ValidKey<P>>, Refusal> {
        let Some(security_token) = security_token.filter(|token| !token.is_empty()) else {
            return match self.store.temporary_key(provider, access_key_id).await? {
                Some(_) => Err(Refusal::MissingToken),
                None => Ok(None),
            };
        };
        let payload = read(kind, security_token).ok_or(Refusal::Malformed)?;
        if payload.access_key_id != access_key_id {
            return Err(Refusal::Mismatch);
        }
        if payload.expires_at <= now {
            return Err(Refusal::Expired(payload.expires_at));
        }
        let record = self
            .store
            .temporary_key(provider, access_key_id)
            .await?
            .ok_or(Refusal::Unknown)?;
        let given = Sha256::digest(security_token.as_bytes());
        let stored = hex::decode(&record.token_hash).unwrap_or_default();
        if stored.as_slice() != given.as_slice() {
            return Err(Refusal::Malformed);
        }
        if record.expires_at <= now {
            return Err(Refusal::Expired(record.expires_at));
        }
        Ok(Some(ValidKey {
            secret: record.secret,
            principal: from_json(&record.principal)?,
            expires_at: record.expires_at,
        }))
    }
}

/// `text` with every appearance of `token` (as it is, percent-encoded once, or twice as in a V1
/// string to sign) replaced by `***`: a signature error may show the server's string to sign,
/// which covers the token, and no token is ever logged or answered.
pub fn redact(text: &str, token: &str) -> String {
    if token.is_empty() {
        return text.to_owned();
    }
    let once = rfc3986_encode(token.as_bytes());
    let twice = rfc3986_encode(once.as_bytes());
    text.replace(&twice, "***")
        .replace(&once, "***")
        .replace(token, "***")
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("a principal serialises")
}

fn from_json<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, StorageError> {
    serde_json::from_str(text)
        .map_err(|err| StorageError::Corrupt(format!("an issued principal: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_say_what_they_are_for_until_when() {
        let at = DateTime::from_timestamp_millis(1_800_000_000_123).unwrap();
        let token = mint(Kind::AlibabaSts, "STS.abc", at);
        assert!(token.starts_with("CAIS"), "{token}");
        let payload = read(Kind::AlibabaSts, &token).unwrap();
        assert_eq!(payload.access_key_id, "STS.abc");
        assert_eq!(payload.expires_at, at);
        assert!(read(Kind::HuaweiTemporary, &token).is_none());
        assert!(read(Kind::AlibabaSts, "CAISnot-base64").is_none());
        assert!(read(Kind::AlibabaSts, &token[..token.len() - 4]).is_none());
        assert_ne!(token, mint(Kind::AlibabaSts, "STS.abc", at));
    }

    #[test]
    fn tokens_are_redacted_in_every_encoding() {
        let token = "CAIS+ab/c=";
        let v1 = format!(
            "POST&%2F&SecurityToken%3D{}",
            rfc3986_encode(rfc3986_encode(token.as_bytes()).as_bytes())
        );
        assert_eq!(redact(&v1, token), "POST&%2F&SecurityToken%3D***");
        assert_eq!(
            redact("x-acs-security-token:CAIS+ab/c=\n", token),
            "x-acs-security-token:***\n"
        );
        assert_eq!(redact("a=CAIS%2Bab%2Fc%3D", token), "a=***");
        assert_eq!(redact("nothing", ""), "nothing");
    }

    #[test]
    fn random_text_keeps_to_its_alphabet() {
        let text = random_text(100, UPPER_ALNUM);
        assert_eq!(text.len(), 100);
        assert!(text.bytes().all(|b| UPPER_ALNUM.contains(&b)), "{text}");
    }

    #[test]
    fn the_cap_shortens_lifetimes() {
        let capped = Lifetimes {
            cap: Some(Duration::from_secs(5)),
        };
        assert_eq!(capped.of(TimeDelta::hours(1)), TimeDelta::seconds(5));
        assert_eq!(capped.of(TimeDelta::seconds(2)), TimeDelta::seconds(2));
        assert_eq!(
            Lifetimes::default().of(TimeDelta::hours(1)),
            TimeDelta::hours(1)
        );
        let zero = Lifetimes {
            cap: Some(Duration::ZERO),
        };
        assert_eq!(zero.of(TimeDelta::hours(1)), TimeDelta::zero());
    }
}
