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
use serde::Deserialize;

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

/// A Huawei AK/SK pair, and the projects it may use.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuaweiKey {
    access_key: String,
    secret_key: Secret,
    /// `None`: any project.
    #[serde(default)]
    projects: Option<BTreeSet<String>>,
}

impl HuaweiKey {
    /// A key; `projects: None` lets it use any project.
    pub fn new(
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
        projects: Option<Vec<String>>,
    ) -> Self {
        HuaweiKey {
            access_key: access_key.into(),
            secret_key: Secret::new(secret_key),
            projects: projects.map(|projects| projects.into_iter().collect()),
        }
    }

    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    pub fn secret_key(&self) -> &Secret {
        &self.secret_key
    }

    /// The only projects the key may use; `None` when it may use any.
    pub fn projects(&self) -> Option<&BTreeSet<String>> {
        self.projects.as_ref()
    }

    /// Whether the key may act in `project_id` (the URL's project).
    pub fn may_use_project(&self, project_id: &str) -> bool {
        self.projects
            .as_ref()
            .is_none_or(|projects| projects.contains(project_id))
    }
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

/// Every known access key, by access key (id).
#[derive(Debug, Clone)]
pub struct Credentials {
    huawei: BTreeMap<String, HuaweiKey>,
    alibaba: BTreeMap<String, AlibabaKey>,
}

/// The shape of the credentials file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    #[serde(default)]
    huawei: Vec<HuaweiKey>,
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

impl Credentials {
    /// The built-in demo credentials of SPEC §4: one Huawei key that may use any project and one
    /// Alibaba key of account `1234567890123456`.
    pub fn demo() -> Self {
        Credentials::new(
            [HuaweiKey::new(
                DEMO_HUAWEI_ACCESS_KEY,
                DEMO_HUAWEI_SECRET_KEY,
                None,
            )],
            [AlibabaKey::new(
                DEMO_ALIBABA_ACCESS_KEY_ID,
                DEMO_ALIBABA_ACCESS_KEY_SECRET,
                DEMO_ALIBABA_ACCOUNT_ID,
            )],
        )
        .expect("the demo credentials are valid")
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
        Self::build(huawei.into_iter().collect(), alibaba.into_iter().collect()).map_err(|reason| {
            CredentialsError::Invalid {
                origin: "credentials".to_owned(),
                reason,
            }
        })
    }

    fn build(huawei: Vec<HuaweiKey>, alibaba: Vec<AlibabaKey>) -> Result<Self, String> {
        let mut credentials = Credentials {
            huawei: BTreeMap::new(),
            alibaba: BTreeMap::new(),
        };
        for (index, key) in huawei.into_iter().enumerate() {
            let entry = Entry::new("huawei", index, "access_key", &key.access_key);
            entry.check("access_key", &key.access_key)?;
            entry.check_secret("secret_key", &key.secret_key)?;
            if let Some(projects) = &key.projects {
                if projects.is_empty() {
                    return Err(entry.fail(
                        "projects is empty: list the project ids the key may use, or leave \
                         projects out to allow any project",
                    ));
                }
                for project in projects {
                    entry.check("a project id", project)?;
                }
            }
            if credentials.huawei.contains_key(&key.access_key) {
                return Err(entry.fail("the access key is given more than once"));
            }
            credentials.huawei.insert(key.access_key.clone(), key);
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
