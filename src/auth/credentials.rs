//! Who may call (SPEC §4): the Huawei and Alibaba access keys, from a TOML credentials file or
//! the built-in demo keys. A secret lives in a [`Secret`], which never prints.
//!
//! ```toml
//! [[huawei]]
//! access_key = "HWDEMOACCESSKEY00001"
//! secret_key = "hw-demo-secret-key-0000000000000000000000"
//! # projects = ["0123456789abcdef0123456789abcdef"]   # optional: the only projects it may use
//!
//! [[alibaba]]
//! access_key_id     = "LTAIdemoAccessKey0001"
//! access_key_secret = "ali-demo-access-key-secret-000000"
//! account_id        = "1234567890123456"
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The demo Huawei access key (SPEC §4); it may use any project.
pub const DEMO_HUAWEI_ACCESS_KEY: &str = "HWDEMOACCESSKEY00001";
/// The demo Huawei secret key.
pub const DEMO_HUAWEI_SECRET_KEY: &str = "hw-demo-secret-key-0000000000000000000000";
/// The demo Alibaba access key id.
pub const DEMO_ALIBABA_ACCESS_KEY_ID: &str = "LTAIdemoAccessKey0001";
/// The demo Alibaba access key secret.
pub const DEMO_ALIBABA_ACCESS_KEY_SECRET: &str = "ali-demo-access-key-secret-000000";
/// The account of the demo Alibaba access key.
pub const DEMO_ALIBABA_ACCOUNT_ID: &str = "1234567890123456";

/// A secret key. `Debug` and `Display` print `***`; [`Secret::expose`] is the only way to the
/// value, for computing a signature. There is deliberately no `PartialEq`: compare MACs, never
/// secrets.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Reads only a string, and never quotes the value in an error: serde's usual "invalid type:
/// integer `123`" would print a mistyped secret.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SecretVisitor;

        impl SecretVisitor {
            fn not_a_string<E: de::Error>(self) -> Result<Secret, E> {
                Err(E::custom("a secret must be a string"))
            }
        }

        impl<'de> Visitor<'de> for SecretVisitor {
            type Value = Secret;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Secret, E> {
                Ok(Secret::new(value))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<Secret, E> {
                Ok(Secret(value))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Secret, E> {
                self.not_a_string()
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Secret, E> {
                self.not_a_string()
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Secret, E> {
                self.not_a_string()
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Secret, E> {
                self.not_a_string()
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
                self.not_a_string()
            }

            fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
                self.not_a_string()
            }
        }

        deserializer.deserialize_any(SecretVisitor)
    }
}

/// Which projects a Huawei key, user or token may act in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProjectAccess {
    /// Any project id (the demo key's, and a key's whose entry lists no projects).
    Any,
    /// These project ids only.
    Only(BTreeSet<String>),
}

impl ProjectAccess {
    pub fn allows(&self, project_id: &str) -> bool {
        match self {
            ProjectAccess::Any => true,
            ProjectAccess::Only(projects) => projects.contains(project_id),
        }
    }
}

/// Who a Huawei key or user is: the IAM user of a domain (account), and the projects it may
/// use. A token or temporary credential issued to it carries the same identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HuaweiIdentity {
    pub domain_id: String,
    pub domain_name: String,
    pub user_id: String,
    pub user_name: String,
    pub projects: ProjectAccess,
}

impl HuaweiIdentity {
    /// Whether it may act in `project_id` (the URL's project).
    pub fn may_use_project(&self, project_id: &str) -> bool {
        self.projects.allows(project_id)
    }
}

/// A project of a Huawei domain: Huawei names a region's project after the region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HuaweiProject {
    pub id: String,
    /// The region id, which is also the project's name (`cn-north-4`).
    pub region: String,
}

/// A Huawei domain (account) and its projects, one per region, in region order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HuaweiDomain {
    pub id: String,
    pub name: String,
    pub projects: Vec<HuaweiProject>,
}

impl HuaweiDomain {
    /// The domain's project in `region`.
    pub fn project_in(&self, region: &str) -> Option<&HuaweiProject> {
        self.projects
            .iter()
            .find(|project| project.region == region)
    }

    /// The domain's project with this id.
    pub fn project(&self, id: &str) -> Option<&HuaweiProject> {
        self.projects.iter().find(|project| project.id == id)
    }
}

/// The regions in which a domain whose entries name no projects has one (the demo domain
/// among them), each with an id derived from the domain's.
pub const COMMON_HUAWEI_REGIONS: [&str; 16] = [
    "af-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "cn-east-2",
    "cn-east-3",
    "cn-north-1",
    "cn-north-4",
    "cn-north-9",
    "cn-south-1",
    "cn-southwest-2",
    "eu-west-101",
    "la-south-2",
    "me-east-1",
    "sa-brazil-1",
    "tr-west-1",
];

/// A Huawei AK/SK pair, and who it belongs to.
#[derive(Debug, Clone)]
pub struct HuaweiKey {
    access_key: String,
    secret_key: Secret,
    identity: HuaweiIdentity,
}

impl HuaweiKey {
    /// A key of a domain of its own (named after the key); `projects: None` lets it use any
    /// project.
    pub fn new(
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
        projects: Option<Vec<String>>,
    ) -> Self {
        let access_key = access_key.into();
        let identity = identity_of(
            &access_key,
            None,
            &access_key,
            match projects {
                Some(projects) => ProjectAccess::Only(projects.into_iter().collect()),
                None => ProjectAccess::Any,
            },
        );
        HuaweiKey {
            access_key,
            secret_key: Secret::new(secret_key),
            identity,
        }
    }

    /// A key with this identity (a temporary key, whose identity is its issuer's).
    pub fn with_identity(
        access_key: impl Into<String>,
        secret_key: Secret,
        identity: HuaweiIdentity,
    ) -> Self {
        HuaweiKey {
            access_key: access_key.into(),
            secret_key,
            identity,
        }
    }

    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    pub fn secret_key(&self) -> &Secret {
        &self.secret_key
    }

    pub fn identity(&self) -> &HuaweiIdentity {
        &self.identity
    }

    /// The only projects the key may use; `None` when it may use any.
    pub fn projects(&self) -> Option<&BTreeSet<String>> {
        match &self.identity.projects {
            ProjectAccess::Any => None,
            ProjectAccess::Only(projects) => Some(projects),
        }
    }

    /// Whether the key may act in `project_id` (the URL's project).
    pub fn may_use_project(&self, project_id: &str) -> bool {
        self.identity.may_use_project(project_id)
    }
}

/// A Huawei IAM user who gets tokens with a password (`POST /v3/auth/tokens`).
#[derive(Debug, Clone)]
pub struct HuaweiUser {
    password: Secret,
    identity: HuaweiIdentity,
}

impl HuaweiUser {
    pub fn identity(&self) -> &HuaweiIdentity {
        &self.identity
    }

    /// Whether `password` is the user's, compared in constant time.
    pub fn password_is(&self, password: &str) -> bool {
        let expected = Sha256::digest(self.password.expose().as_bytes());
        let given = Sha256::digest(password.as_bytes());
        expected
            .iter()
            .zip(given.iter())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
    }
}

/// 32 lowercase hex digits derived from `seed`: the ids of domains, users and projects that
/// the file does not give, the same in every process.
fn derived_id(seed: &str) -> String {
    hex::encode(&Sha256::digest(seed.as_bytes())[..16])
}

fn domain_id_of(domain_name: &str) -> String {
    derived_id(&format!("huawei-domain/{domain_name}"))
}

fn project_id_of(domain_id: &str, region: &str) -> String {
    derived_id(&format!("huawei-project/{domain_id}/{region}"))
}

fn identity_of(
    domain_name: &str,
    domain_id: Option<&str>,
    user_name: &str,
    projects: ProjectAccess,
) -> HuaweiIdentity {
    let domain_id = domain_id.map_or_else(|| domain_id_of(domain_name), str::to_owned);
    HuaweiIdentity {
        user_id: derived_id(&format!("huawei-user/{domain_id}/{user_name}")),
        domain_id,
        domain_name: domain_name.to_owned(),
        user_name: user_name.to_owned(),
        projects,
    }
}

/// An entry's `projects`: the old list of ids it may use, or its domain's project per region.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum ProjectsField {
    Ids(BTreeSet<String>),
    ByRegion(BTreeMap<String, String>),
}

/// One `[[huawei]]` entry: an IAM user of a domain, with an access key, a password, or both.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct HuaweiEntry {
    access_key: Option<String>,
    secret_key: Option<Secret>,
    user: Option<String>,
    password: Option<Secret>,
    domain: Option<String>,
    domain_id: Option<String>,
    projects: Option<ProjectsField>,
}

/// An Alibaba AccessKey pair and the account it belongs to (the caller's tenant).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlibabaKey {
    access_key_id: String,
    access_key_secret: Secret,
    account_id: String,
}

impl AlibabaKey {
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
        account_id: impl Into<String>,
    ) -> Self {
        AlibabaKey {
            access_key_id: access_key_id.into(),
            access_key_secret: Secret::new(access_key_secret),
            account_id: account_id.into(),
        }
    }

    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    pub fn access_key_secret(&self) -> &Secret {
        &self.access_key_secret
    }

    /// The account this key acts for: the tenant of its calls.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }
}

/// Every known access key, by access key (id); the Huawei users and domains.
#[derive(Debug, Clone)]
pub struct Credentials {
    huawei: BTreeMap<String, HuaweiKey>,
    /// By (domain name, user name).
    huawei_users: BTreeMap<(String, String), HuaweiUser>,
    /// By domain id.
    huawei_domains: BTreeMap<String, HuaweiDomain>,
    alibaba: BTreeMap<String, AlibabaKey>,
}

/// The shape of the credentials file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    #[serde(default)]
    huawei: Vec<HuaweiEntry>,
    #[serde(default)]
    alibaba: Vec<AlibabaKey>,
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("cannot read the credentials file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// `origin` is the file's path (or `credentials` for keys not read from a file).
    #[error("{origin}: {reason}")]
    Invalid { origin: String, reason: String },
}

/// The demo Huawei key's domain (account).
pub const DEMO_HUAWEI_DOMAIN: &str = "flowplane-demo";
/// The demo domain's IAM user, who gets tokens with [`DEMO_HUAWEI_PASSWORD`].
pub const DEMO_HUAWEI_USER: &str = "flowplane-demo";
pub const DEMO_HUAWEI_PASSWORD: &str = "hw-demo-password-0000";
/// The demo domain's project in `cn-north-4`, the one the README's examples use.
pub const DEMO_HUAWEI_PROJECT: &str = "0123456789abcdef0123456789abcdef";

impl Credentials {
    /// The built-in demo credentials of SPEC §4: one Huawei key (and password user) of the
    /// domain `flowplane-demo`, with a project in every common region, that may use any
    /// project; and one Alibaba key of account `1234567890123456`.
    pub fn demo() -> Self {
        let entry = HuaweiEntry {
            access_key: Some(DEMO_HUAWEI_ACCESS_KEY.to_owned()),
            secret_key: Some(Secret::new(DEMO_HUAWEI_SECRET_KEY)),
            user: Some(DEMO_HUAWEI_USER.to_owned()),
            password: Some(Secret::new(DEMO_HUAWEI_PASSWORD)),
            domain: Some(DEMO_HUAWEI_DOMAIN.to_owned()),
            domain_id: None,
            projects: None,
        };
        let mut credentials = Self::build(
            vec![entry],
            vec![AlibabaKey::new(
                DEMO_ALIBABA_ACCESS_KEY_ID,
                DEMO_ALIBABA_ACCESS_KEY_SECRET,
                DEMO_ALIBABA_ACCOUNT_ID,
            )],
        )
        .expect("the demo credentials are valid");
        // The README's project id is the demo domain's project in cn-north-4.
        for domain in credentials.huawei_domains.values_mut() {
            for project in &mut domain.projects {
                if project.region == "cn-north-4" {
                    project.id = DEMO_HUAWEI_PROJECT.to_owned();
                }
            }
        }
        credentials
    }

    /// Reads a TOML credentials file (SPEC §4).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CredentialsError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| CredentialsError::Read {
            path: origin.clone(),
            source,
        })?;
        Self::parse_from(&text, &origin)
    }

    /// Reads credentials from TOML text in the file's shape.
    pub fn parse(text: &str) -> Result<Self, CredentialsError> {
        Self::parse_from(text, "credentials")
    }

    fn parse_from(text: &str, origin: &str) -> Result<Self, CredentialsError> {
        let file: CredentialsFile = toml::from_str(text).map_err(|err| {
            // The message alone, never toml's excerpt of the line: that line may hold a secret.
            let reason = match err.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}: {}", err.message().trim_end())
                }
                None => err.message().trim_end().to_owned(),
            };
            CredentialsError::Invalid {
                origin: origin.to_owned(),
                reason,
            }
        })?;
        if file.huawei.is_empty() && file.alibaba.is_empty() {
            return Err(CredentialsError::Invalid {
                origin: origin.to_owned(),
                reason: "it defines no key: give at least one [[huawei]] or [[alibaba]] entry"
                    .to_owned(),
            });
        }
        Self::build(file.huawei, file.alibaba).map_err(|reason| CredentialsError::Invalid {
            origin: origin.to_owned(),
            reason,
        })
    }

    /// Credentials from keys built in code, checked like a file's.
    pub fn new(
        huawei: impl IntoIterator<Item = HuaweiKey>,
        alibaba: impl IntoIterator<Item = AlibabaKey>,
    ) -> Result<Self, CredentialsError> {
        let entries = huawei
            .into_iter()
            .map(|key| HuaweiEntry {
                access_key: Some(key.access_key),
                secret_key: Some(key.secret_key),
                user: None,
                password: None,
                domain: None,
                domain_id: None,
                projects: match key.identity.projects {
                    ProjectAccess::Any => None,
                    ProjectAccess::Only(ids) => Some(ProjectsField::Ids(ids)),
                },
            })
            .collect();
        Self::build(entries, alibaba.into_iter().collect()).map_err(|reason| {
            CredentialsError::Invalid {
                origin: "credentials".to_owned(),
                reason,
            }
        })
    }

    fn build(huawei: Vec<HuaweiEntry>, alibaba: Vec<AlibabaKey>) -> Result<Self, String> {
        let mut credentials = Credentials {
            huawei: BTreeMap::new(),
            huawei_users: BTreeMap::new(),
            huawei_domains: BTreeMap::new(),
            alibaba: BTreeMap::new(),
        };
        // Each domain's id (given or derived) and its projects by region, over its entries.
        let mut domains: BTreeMap<String, (String, BTreeMap<String, String>)> = BTreeMap::new();
        for (index, key) in huawei.into_iter().enumerate() {
            let named = key.access_key.as_deref().or(key.user.as_deref());
            let (id_field, id) = match &key.access_key {
                Some(access_key) => ("access_key", access_key.as_str()),
                None => ("user", named.unwrap_or_default()),
            };
            let entry = Entry::new("huawei", index, id_field, id);
            let access = match (&key.access_key, &key.secret_key) {
                (Some(access_key), Some(secret_key)) => {
                    entry.check("access_key", access_key)?;
                    entry.check_secret("secret_key", secret_key)?;
                    Some((access_key.clone(), secret_key.clone()))
                }
                (Some(_), None) => {
                    return Err(entry.fail("missing field `secret_key` for its access_key"))
                }
                (None, Some(_)) => {
                    return Err(entry.fail("missing field `access_key` for its secret_key"))
                }
                (None, None) => None,
            };
            let password = match (&key.user, &key.password) {
                (None, Some(_)) => return Err(entry.fail("missing field `user` for its password")),
                (Some(user), password) => {
                    entry.check("user", user)?;
                    if let Some(password) = password {
                        entry.check_secret("password", password)?;
                    }
                    password.clone()
                }
                (None, None) => None,
            };
            if access.is_none() && password.is_none() {
                return Err(entry.fail(
                    "missing field `secret_key`: give an access_key and secret_key, or a user \
                     and password",
                ));
            }
            let domain_name = key.domain.clone().unwrap_or_else(|| id.to_owned());
            entry.check("domain", &domain_name)?;
            if let Some(domain_id) = &key.domain_id {
                entry.check("domain_id", domain_id)?;
                if !is_plain_id(domain_id) {
                    return Err(entry.fail(format_args!(
                        "domain_id {domain_id:?} may hold only letters, digits and '-'"
                    )));
                }
            }
            let (domain_id, regions) = domains
                .entry(domain_name.clone())
                .or_insert_with(|| (domain_id_of(&domain_name), BTreeMap::new()));
            if let Some(given) = &key.domain_id {
                if *given != *domain_id && domain_id_of(&domain_name) != *domain_id {
                    return Err(entry.fail(format_args!(
                        "the domain {domain_name:?} is given two domain_ids"
                    )));
                }
                *domain_id = given.clone();
            }
            let projects = match &key.projects {
                None => ProjectAccess::Any,
                Some(ProjectsField::Ids(ids)) => {
                    if ids.is_empty() {
                        return Err(entry.fail(
                            "projects is empty: list the project ids the key may use, or leave \
                             projects out to allow any project",
                        ));
                    }
                    for project in ids {
                        entry.check("a project id", project)?;
                    }
                    ProjectAccess::Only(ids.clone())
                }
                Some(ProjectsField::ByRegion(by_region)) => {
                    if by_region.is_empty() {
                        return Err(entry.fail(
                            "projects is empty: give the domain's project id in each region, \
                             or leave projects out to allow any project",
                        ));
                    }
                    for (region, project) in by_region {
                        if !is_region_name(region) {
                            return Err(entry.fail(format_args!(
                                "projects: {region:?} is not a region id such as cn-north-4"
                            )));
                        }
                        entry.check("a project id", project)?;
                        if !is_plain_id(project) {
                            return Err(entry.fail(format_args!(
                                "project id {project:?} may hold only letters, digits and '-'"
                            )));
                        }
                        match regions.get(region) {
                            Some(known) if known != project => {
                                return Err(entry.fail(format_args!(
                                    "the domain {domain_name:?} has two projects in {region}: \
                                     {known:?} and {project:?}"
                                )))
                            }
                            _ => {
                                regions.insert(region.clone(), project.clone());
                            }
                        }
                    }
                    ProjectAccess::Only(by_region.values().cloned().collect())
                }
            };
            let user_name = key.user.clone().unwrap_or_else(|| domain_name.clone());
            let identity = HuaweiIdentity {
                user_id: derived_id(&format!("huawei-user/{domain_id}/{user_name}")),
                domain_id: domain_id.clone(),
                domain_name: domain_name.clone(),
                user_name: user_name.clone(),
                projects,
            };
            if let Some((access_key, secret_key)) = access {
                if credentials.huawei.contains_key(&access_key) {
                    return Err(entry.fail("the access key is given more than once"));
                }
                credentials.huawei.insert(
                    access_key.clone(),
                    HuaweiKey {
                        access_key,
                        secret_key,
                        identity: identity.clone(),
                    },
                );
            }
            if let Some(password) = password {
                let name = (domain_name.clone(), user_name);
                if credentials.huawei_users.contains_key(&name) {
                    return Err(entry.fail("the user is given a password more than once"));
                }
                credentials
                    .huawei_users
                    .insert(name, HuaweiUser { password, identity });
            }
        }
        // Every identity of a domain carries the domain's final id.
        let ids: BTreeMap<String, String> = domains
            .iter()
            .map(|(name, (id, _))| (name.clone(), id.clone()))
            .collect();
        let identities = credentials
            .huawei
            .values_mut()
            .map(|key| &mut key.identity)
            .chain(
                credentials
                    .huawei_users
                    .values_mut()
                    .map(|u| &mut u.identity),
            );
        for identity in identities {
            let domain_id = &ids[&identity.domain_name];
            if identity.domain_id != *domain_id {
                identity.user_id =
                    derived_id(&format!("huawei-user/{domain_id}/{}", identity.user_name));
                identity.domain_id = domain_id.clone();
            }
        }
        for (name, (id, regions)) in domains {
            let projects = if regions.is_empty() {
                COMMON_HUAWEI_REGIONS
                    .iter()
                    .map(|region| HuaweiProject {
                        id: project_id_of(&id, region),
                        region: (*region).to_owned(),
                    })
                    .collect()
            } else {
                regions
                    .into_iter()
                    .map(|(region, id)| HuaweiProject { id, region })
                    .collect()
            };
            if let Some(other) = credentials.huawei_domains.get(&id) {
                return Err(format!(
                    "the domains {:?} and {name:?} have the same domain_id {id:?}",
                    other.name
                ));
            }
            credentials
                .huawei_domains
                .insert(id.clone(), HuaweiDomain { id, name, projects });
        }
        for (index, key) in alibaba.into_iter().enumerate() {
            let entry = Entry::new("alibaba", index, "access_key_id", &key.access_key_id);
            entry.check("access_key_id", &key.access_key_id)?;
            entry.check_secret("access_key_secret", &key.access_key_secret)?;
            entry.check("account_id", &key.account_id)?;
            if credentials.alibaba.contains_key(&key.access_key_id) {
                return Err(entry.fail("the access key id is given more than once"));
            }
            credentials.alibaba.insert(key.access_key_id.clone(), key);
        }
        Ok(credentials)
    }

    /// The Huawei key with this access key (AK).
    pub fn huawei(&self, access_key: &str) -> Option<&HuaweiKey> {
        self.huawei.get(access_key)
    }

    /// The Huawei user `user_name` of the domain named `domain_name`.
    pub fn huawei_user(&self, domain_name: &str, user_name: &str) -> Option<&HuaweiUser> {
        self.huawei_users
            .get(&(domain_name.to_owned(), user_name.to_owned()))
    }

    /// Every Huawei password user.
    pub fn huawei_users(&self) -> impl Iterator<Item = &HuaweiUser> {
        self.huawei_users.values()
    }

    /// The Huawei domain with this id.
    pub fn huawei_domain(&self, domain_id: &str) -> Option<&HuaweiDomain> {
        self.huawei_domains.get(domain_id)
    }

    /// The Huawei domain with this name.
    pub fn huawei_domain_named(&self, name: &str) -> Option<&HuaweiDomain> {
        self.huawei_domains
            .values()
            .find(|domain| domain.name == name)
    }

    /// Every Huawei domain, by id.
    pub fn huawei_domains(&self) -> impl Iterator<Item = &HuaweiDomain> {
        self.huawei_domains.values()
    }

    /// The Alibaba key with this access key id.
    pub fn alibaba(&self, access_key_id: &str) -> Option<&AlibabaKey> {
        self.alibaba.get(access_key_id)
    }

    /// Every Huawei key, by access key.
    pub fn huawei_keys(&self) -> impl Iterator<Item = &HuaweiKey> {
        self.huawei.values()
    }

    /// Every Alibaba key, by access key id.
    pub fn alibaba_keys(&self) -> impl Iterator<Item = &AlibabaKey> {
        self.alibaba.values()
    }

    /// Whether some Alibaba key belongs to `account_id`.
    pub fn knows_alibaba_account(&self, account_id: &str) -> bool {
        self.alibaba
            .values()
            .any(|key| key.account_id == account_id)
    }
}

/// Letters, digits and `-`, at most 64: what may stand in a URL as a project id.
fn is_plain_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A region id: lowercase letters, digits and `-`, starting with a letter.
fn is_region_name(value: &str) -> bool {
    value.len() <= 64
        && value.starts_with(|c: char| c.is_ascii_lowercase())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A key known by its access key (id).
pub trait AccessKey {
    fn access_key_id(&self) -> &str;
}

impl AccessKey for HuaweiKey {
    fn access_key_id(&self) -> &str {
        &self.access_key
    }
}

impl AccessKey for AlibabaKey {
    fn access_key_id(&self) -> &str {
        &self.access_key_id
    }
}

/// Where a signature verifier looks the request's access key up: the credentials' keys, or the
/// one (temporary) key the gateway resolved for the request.
pub trait KeyLookup<K> {
    fn key(&self, access_key_id: &str) -> Option<&K>;
}

impl KeyLookup<HuaweiKey> for Credentials {
    fn key(&self, access_key: &str) -> Option<&HuaweiKey> {
        self.huawei(access_key)
    }
}

impl KeyLookup<AlibabaKey> for Credentials {
    fn key(&self, access_key_id: &str) -> Option<&AlibabaKey> {
        self.alibaba(access_key_id)
    }
}

impl<K: AccessKey> KeyLookup<K> for K {
    fn key(&self, access_key_id: &str) -> Option<&K> {
        (self.access_key_id() == access_key_id).then_some(self)
    }
}

/// One `[[huawei]]` / `[[alibaba]]` entry, for naming it in an error.
struct Entry {
    name: String,
}

impl Entry {
    fn new(table: &str, index: usize, id_field: &str, id: &str) -> Self {
        let position = index + 1;
        let name = if id.trim().is_empty() {
            format!("[[{table}]] entry {position}")
        } else {
            format!("[[{table}]] entry {position} ({id_field} {id:?})")
        };
        Entry { name }
    }

    fn fail(&self, reason: impl fmt::Display) -> String {
        format!("{}: {reason}", self.name)
    }

    fn check(&self, field: &str, value: &str) -> Result<(), String> {
        if value.trim().is_empty() {
            Err(self.fail(format_args!("{field} is empty")))
        } else if value.trim() != value {
            Err(self.fail(format_args!(
                "{field} {value:?} starts or ends with whitespace"
            )))
        } else if value.chars().any(char::is_control) {
            Err(self.fail(format_args!(
                "{field} {value:?} contains a control character"
            )))
        } else {
            Ok(())
        }
    }

    /// Like [`Entry::check`], never quoting the value.
    fn check_secret(&self, field: &str, secret: &Secret) -> Result<(), String> {
        let value = secret.expose();
        if value.trim().is_empty() {
            Err(self.fail(format_args!("{field} is empty")))
        } else if value.trim() != value {
            Err(self.fail(format_args!("{field} starts or ends with whitespace")))
        } else if value.chars().any(char::is_control) {
            Err(self.fail(format_args!("{field} contains a control character")))
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(text: &str) -> String {
        match Credentials::parse(text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn demo_credentials_are_the_documented_ones() {
        let credentials = Credentials::demo();
        let huawei = credentials.huawei("HWDEMOACCESSKEY00001").unwrap();
        assert_eq!(
            huawei.secret_key().expose(),
            "hw-demo-secret-key-0000000000000000000000"
        );
        assert!(huawei.may_use_project("0123456789abcdef0123456789abcdef"));
        assert!(huawei.may_use_project("any-project-at-all"));
        let alibaba = credentials.alibaba("LTAIdemoAccessKey0001").unwrap();
        assert_eq!(
            alibaba.access_key_secret().expose(),
            "ali-demo-access-key-secret-000000"
        );
        assert_eq!(alibaba.account_id(), "1234567890123456");
        assert!(credentials.huawei("LTAIdemoAccessKey0001").is_none());
        assert!(credentials.alibaba("HWDEMOACCESSKEY00001").is_none());
        assert!(credentials.huawei("hwdemoaccesskey00001").is_none());
    }

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{secret:?}"), "***");
        let debug = format!("{:?}", Credentials::demo());
        assert!(debug.contains("HWDEMOACCESSKEY00001"), "{debug}");
        assert!(debug.contains("***"), "{debug}");
        assert!(!debug.contains(DEMO_HUAWEI_SECRET_KEY), "{debug}");
        assert!(!debug.contains(DEMO_ALIBABA_ACCESS_KEY_SECRET), "{debug}");
    }

    #[test]
    fn loads_the_documented_file_shape() {
        let credentials = Credentials::parse(
            r#"
            [[huawei]]
            access_key = "HWKEY1"
            secret_key = "hw-secret-1"
            projects = ["project-a", "project-b"]

            [[huawei]]
            access_key = "HWKEY2"
            secret_key = "hw-secret-2"

            [[alibaba]]
            access_key_id     = "LTAIkey1"
            access_key_secret = "ali-secret-1"
            account_id        = "1111111111111111"

            [[alibaba]]
            access_key_id     = "LTAIkey2"
            access_key_secret = "ali-secret-2"
            account_id        = "1111111111111111"
            "#,
        )
        .unwrap();
        let restricted = credentials.huawei("HWKEY1").unwrap();
        assert!(restricted.may_use_project("project-a"));
        assert!(restricted.may_use_project("project-b"));
        assert!(!restricted.may_use_project("project-c"));
        assert!(!restricted.may_use_project(""));
        assert!(credentials
            .huawei("HWKEY2")
            .unwrap()
            .may_use_project("project-c"));
        assert_eq!(
            credentials.alibaba("LTAIkey2").unwrap().account_id(),
            "1111111111111111"
        );
        assert_eq!(
            credentials
                .alibaba("LTAIkey1")
                .unwrap()
                .access_key_secret()
                .expose(),
            "ali-secret-1"
        );
        // The demo keys are not added to a file's.
        assert!(credentials.huawei(DEMO_HUAWEI_ACCESS_KEY).is_none());
        assert!(credentials.alibaba(DEMO_ALIBABA_ACCESS_KEY_ID).is_none());
        assert_eq!(credentials.huawei_keys().count(), 2);
        assert_eq!(credentials.alibaba_keys().count(), 2);
        // One provider alone is fine.
        Credentials::parse(
            "[[alibaba]]\naccess_key_id = \"a\"\naccess_key_secret = \"s\"\naccount_id = \"1\"\n",
        )
        .unwrap();
    }

    #[test]
    fn refuses_unknown_fields() {
        let err = invalid("[[huawei]]\naccess_key = \"AK\"\nsecret = \"s\"\n");
        assert!(err.contains("unknown field `secret`"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        let err = invalid("[[aws]]\naccess_key = \"AK\"\n");
        assert!(err.contains("unknown field `aws`"), "{err}");
        let err = invalid(
            "[[alibaba]]\naccess_key_id = \"a\"\naccess_key_secret = \"s\"\naccount_id = \"1\"\nregion = \"x\"\n",
        );
        assert!(err.contains("unknown field `region`"), "{err}");
    }

    #[test]
    fn refuses_missing_fields_and_bad_syntax() {
        let err = invalid("[[huawei]]\naccess_key = \"AK\"\n");
        assert!(err.contains("missing field `secret_key`"), "{err}");
        let err = invalid("[[alibaba]]\naccess_key_id = \"a\"\naccess_key_secret = \"s\"\n");
        assert!(err.contains("missing field `account_id`"), "{err}");
        let err = invalid("[[huawei]\n");
        assert!(err.starts_with("credentials: line 1"), "{err}");
        let err = invalid("");
        assert!(err.contains("defines no key"), "{err}");
    }

    #[test]
    fn refuses_duplicate_access_keys() {
        let err = invalid(
            "[[huawei]]\naccess_key = \"AK\"\nsecret_key = \"s1\"\n\
             [[huawei]]\naccess_key = \"AK\"\nsecret_key = \"s2\"\n",
        );
        assert_eq!(
            err,
            "credentials: [[huawei]] entry 2 (access_key \"AK\"): the access key is given more than once"
        );
        let err = invalid(
            "[[alibaba]]\naccess_key_id = \"a\"\naccess_key_secret = \"s\"\naccount_id = \"1\"\n\
             [[alibaba]]\naccess_key_id = \"a\"\naccess_key_secret = \"t\"\naccount_id = \"2\"\n",
        );
        assert!(
            err.contains("[[alibaba]] entry 2 (access_key_id \"a\")"),
            "{err}"
        );
        // The same string as a Huawei AK and an Alibaba AccessKey id: two namespaces.
        Credentials::parse(
            "[[huawei]]\naccess_key = \"K\"\nsecret_key = \"s\"\n\
             [[alibaba]]\naccess_key_id = \"K\"\naccess_key_secret = \"s\"\naccount_id = \"1\"\n",
        )
        .unwrap();
    }

    #[test]
    fn refuses_empty_values_naming_the_entry() {
        let cases = [
            (
                "[[huawei]]\naccess_key = \"\"\nsecret_key = \"s\"\n",
                "[[huawei]] entry 1: access_key is empty",
            ),
            (
                "[[huawei]]\naccess_key = \"AK\"\nsecret_key = \"  \"\n",
                "[[huawei]] entry 1 (access_key \"AK\"): secret_key is empty",
            ),
            (
                "[[huawei]]\naccess_key = \"AK\"\nsecret_key = \"s\"\nprojects = []\n",
                "[[huawei]] entry 1 (access_key \"AK\"): projects is empty",
            ),
            (
                "[[huawei]]\naccess_key = \"AK\"\nsecret_key = \"s\"\nprojects = [\"p\", \"\"]\n",
                "[[huawei]] entry 1 (access_key \"AK\"): a project id is empty",
            ),
            (
                "[[huawei]]\naccess_key = \"AK \"\nsecret_key = \"s\"\n",
                "[[huawei]] entry 1 (access_key \"AK \"): access_key \"AK \" starts or ends with whitespace",
            ),
            (
                "[[alibaba]]\naccess_key_id = \"a\"\naccess_key_secret = \"\"\naccount_id = \"1\"\n",
                "[[alibaba]] entry 1 (access_key_id \"a\"): access_key_secret is empty",
            ),
            (
                "[[alibaba]]\naccess_key_id = \"a\"\naccess_key_secret = \"s\"\naccount_id = \"\"\n",
                "[[alibaba]] entry 1 (access_key_id \"a\"): account_id is empty",
            ),
        ];
        for (text, expected) in cases {
            let err = invalid(text);
            assert!(err.contains(expected), "{err}\nexpected: {expected}");
        }
    }

    #[test]
    fn errors_never_quote_a_secret() {
        for text in [
            "[[huawei]]\naccess_key = \"AK\"\nsecret_key = 9876543210\n",
            "[[huawei]]\naccess_key = \"AK\"\nsecret_key = [\"9876543210\"]\n",
            "[[huawei]]\naccess_key = \"AK\"\nsecret_key = \"9876543210 \"\n",
            "[[alibaba]]\naccess_key_id = \"a\"\naccess_key_secret = 9876543210\naccount_id = \"1\"\n",
        ] {
            let err = invalid(text);
            assert!(!err.contains("9876543210"), "{err}");
        }
    }

    #[test]
    fn load_reads_a_file_and_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials.toml");
        std::fs::write(
            &path,
            "[[huawei]]\naccess_key = \"AK\"\nsecret_key = \"s\"\nprojects = [\"p1\"]\n",
        )
        .unwrap();
        let credentials = Credentials::load(&path).unwrap();
        assert!(credentials.huawei("AK").unwrap().may_use_project("p1"));

        std::fs::write(&path, "[[huawei]]\naccess_key = \"AK\"\n").unwrap();
        let err = Credentials::load(&path).unwrap_err().to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");

        let missing = dir.path().join("missing.toml");
        let err = Credentials::load(&missing).unwrap_err();
        assert!(matches!(err, CredentialsError::Read { .. }), "{err}");
        assert!(err.to_string().contains("missing.toml"), "{err}");
    }

    #[test]
    fn the_demo_domain_has_a_project_per_common_region_and_a_user() {
        let credentials = Credentials::demo();
        let key = credentials.huawei(DEMO_HUAWEI_ACCESS_KEY).unwrap();
        let identity = key.identity();
        assert_eq!(identity.domain_name, DEMO_HUAWEI_DOMAIN);
        assert_eq!(identity.domain_id.len(), 32);
        let domain = credentials.huawei_domain(&identity.domain_id).unwrap();
        assert_eq!(domain.projects.len(), COMMON_HUAWEI_REGIONS.len());
        assert_eq!(
            domain.project_in("cn-north-4").unwrap().id,
            DEMO_HUAWEI_PROJECT
        );
        let other = &domain.project_in("ap-southeast-1").unwrap().id;
        assert!(other.len() == 32 && other.bytes().all(|b| b.is_ascii_hexdigit()));
        let user = credentials
            .huawei_user(DEMO_HUAWEI_DOMAIN, DEMO_HUAWEI_USER)
            .unwrap();
        assert!(user.password_is(DEMO_HUAWEI_PASSWORD));
        assert!(!user.password_is("hw-demo-password-0001"));
        assert_eq!(
            user.identity(),
            identity,
            "the key and the user are one IAM user"
        );
    }

    #[test]
    fn entries_name_their_domain_projects_per_region_and_users() {
        let credentials = Credentials::parse(
            r#"
            [[huawei]]
            access_key = "HWKEY1"
            secret_key = "s1"
            domain = "acme"
            projects = { cn-north-4 = "p-north", ap-southeast-1 = "p-south" }

            [[huawei]]
            user = "alice"
            password = "wonderland"
            domain = "acme"
            domain_id = "0000000000000000000000000000acme"
            projects = { cn-north-4 = "p-north" }

            [[huawei]]
            access_key = "HWKEY2"
            secret_key = "s2"
            "#,
        )
        .unwrap();
        let key = credentials.huawei("HWKEY1").unwrap();
        assert_eq!(key.identity().domain_id, "0000000000000000000000000000acme");
        assert_eq!(key.identity().user_name, "acme", "the account's own user");
        assert!(key.may_use_project("p-south") && !key.may_use_project("p-other"));
        let acme = credentials.huawei_domain_named("acme").unwrap();
        let regions: Vec<_> = acme.projects.iter().map(|p| p.region.as_str()).collect();
        assert_eq!(regions, ["ap-southeast-1", "cn-north-4"]);
        let alice = credentials.huawei_user("acme", "alice").unwrap();
        assert!(alice.identity().may_use_project("p-north"));
        assert!(!alice.identity().may_use_project("p-south"));
        assert_ne!(alice.identity().user_id, key.identity().user_id);
        // A key without a domain has one of its own, with a project per common region.
        let own = credentials.huawei("HWKEY2").unwrap().identity();
        assert_eq!(own.domain_name, "HWKEY2");
        let domain = credentials.huawei_domain(&own.domain_id).unwrap();
        assert_eq!(domain.projects.len(), COMMON_HUAWEI_REGIONS.len());
        assert!(own.may_use_project("anything"));
    }

    #[test]
    fn refuses_inconsistent_domains_and_half_entries() {
        let cases = [
            ("[[huawei]]\nuser = \"u\"\n", "missing field `secret_key`"),
            ("[[huawei]]\npassword = \"p\"\n", "missing field `user`"),
            ("[[huawei]]\nsecret_key = \"s\"\n", "missing field `access_key`"),
            (
                "[[huawei]]\naccess_key = \"A\"\nsecret_key = \"s\"\ndomain = \"d\"\n\
                 projects = { cn-north-4 = \"p1\" }\n\
                 [[huawei]]\naccess_key = \"B\"\nsecret_key = \"s\"\ndomain = \"d\"\n\
                 projects = { cn-north-4 = \"p2\" }\n",
                "has two projects in cn-north-4",
            ),
            (
                "[[huawei]]\naccess_key = \"A\"\nsecret_key = \"s\"\ndomain = \"d\"\ndomain_id = \"x1\"\n\
                 [[huawei]]\naccess_key = \"B\"\nsecret_key = \"s\"\ndomain = \"d\"\ndomain_id = \"x2\"\n",
                "two domain_ids",
            ),
            (
                "[[huawei]]\naccess_key = \"A\"\nsecret_key = \"s\"\nprojects = { \"CN North\" = \"p\" }\n",
                "is not a region id",
            ),
            (
                "[[huawei]]\nuser = \"u\"\npassword = \"p\"\ndomain = \"d\"\n\
                 [[huawei]]\nuser = \"u\"\npassword = \"q\"\ndomain = \"d\"\n",
                "given a password more than once",
            ),
        ];
        for (text, expected) in cases {
            let err = invalid(text);
            assert!(err.contains(expected), "{err}\nexpected: {expected}");
        }
        let err = invalid("[[huawei]]\nuser = \"u\"\npassword = 12345678\n");
        assert!(!err.contains("12345678"), "{err}");
    }

    #[test]
    fn keys_built_in_code_are_checked_too() {
        let err = Credentials::new([HuaweiKey::new("", "s", None)], [])
            .unwrap_err()
            .to_string();
        assert!(err.contains("access_key is empty"), "{err}");
        let credentials = Credentials::new(
            [HuaweiKey::new("AK", "s", Some(vec!["p".to_owned()]))],
            [AlibabaKey::new("LTAI", "t", "42")],
        )
        .unwrap();
        assert!(!credentials.huawei("AK").unwrap().may_use_project("q"));
        assert_eq!(credentials.alibaba("LTAI").unwrap().account_id(), "42");
    }
}
