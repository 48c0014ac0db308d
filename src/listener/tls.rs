//! The listener's certificate: the files `--tls-cert`/`--tls-key` name, or a small CA and a
//! leaf for `localhost`, `127.0.0.1`, `::1` and the `--tls-name`s, generated at first start
//! into the TLS directory and reused afterwards (the leaf is re-issued by the same CA when the
//! names change). Users trust the CA file once; private keys are written `0600` and never logged.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

/// The CA certificate users trust.
pub const CA_FILE: &str = "flowplane-ca.pem";
/// The CA's private key.
pub const CA_KEY_FILE: &str = "flowplane-ca-key.pem";
/// The leaf certificate the listener presents.
pub const CERT_FILE: &str = "flowplane-cert.pem";
/// The leaf's private key.
pub const KEY_FILE: &str = "flowplane-key.pem";
/// The names every generated leaf carries.
pub const DEFAULT_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
const NAMES_HEADER: &str = "# flowplane names: ";
const CA_NAME: &str = "Flowplane local CA";

/// Why the listener's certificate could not be had.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {message}")]
    Pem { path: PathBuf, message: String },
    #[error("cannot generate the certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot use the certificate: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Where the certificate comes from.
#[derive(Debug, Clone)]
pub enum CertSource {
    /// PEM files given by the user.
    Files { cert: PathBuf, key: PathBuf },
    /// Generated (once) into `dir`, with `names` beside the defaults.
    Generated { dir: PathBuf, names: Vec<String> },
}

/// The TLS side of the listener, ready to serve.
#[derive(Clone)]
pub struct Tls {
    pub config: Arc<ServerConfig>,
    /// The certificate presented.
    pub cert: PathBuf,
    /// The CA file to trust, when Flowplane generated the certificate.
    pub ca: Option<PathBuf>,
    /// Whether this start generated the CA (else it was found).
    pub generated_ca: bool,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("cert", &self.cert)
            .field("ca", &self.ca)
            .finish_non_exhaustive()
    }
}

impl Tls {
    /// Loads or generates the certificate, and builds the server configuration (HTTP/1.1 by
    /// ALPN).
    pub fn load(source: &CertSource) -> Result<Self, TlsError> {
        let (cert, key, ca, generated_ca) = match source {
            CertSource::Files { cert, key } => (cert.clone(), key.clone(), None, false),
            CertSource::Generated { dir, names } => {
                let generated_ca = ensure_generated(dir, names)?;
                (
                    dir.join(CERT_FILE),
                    dir.join(KEY_FILE),
                    Some(dir.join(CA_FILE)),
                    generated_ca,
                )
            }
        };
        let chain = read_certs(&cert)?;
        let private_key = read_key(&key)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, private_key)?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            config: Arc::new(config),
            cert,
            ca,
            generated_ca,
        })
    }
}

/// The names a generated leaf carries: the defaults, then the extra ones, without repeats.
pub fn leaf_names(extra: &[String]) -> Vec<String> {
    let mut names: Vec<String> = DEFAULT_NAMES.iter().map(|name| name.to_string()).collect();
    for name in extra {
        let name = name.trim();
        if !name.is_empty() && !names.iter().any(|known| known == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// Makes sure `dir` holds a CA and a leaf for `names`; returns whether the CA was generated now.
fn ensure_generated(dir: &Path, extra: &[String]) -> Result<bool, TlsError> {
    let io_error = |path: &Path| {
        let path = path.to_owned();
        move |source| TlsError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    // Several processes may start at once on one directory (replicas on one Postgres, a test
    // suite): one at a time checks and writes.
    let _lock = DirLock::take(dir).map_err(io_error(dir))?;
    let names = leaf_names(extra);
    let ca_path = dir.join(CA_FILE);
    let ca_key_path = dir.join(CA_KEY_FILE);
    let (ca_key, generated_ca) = if ca_path.exists() && ca_key_path.exists() {
        let pem = std::fs::read_to_string(&ca_key_path).map_err(io_error(&ca_key_path))?;
        let key = KeyPair::from_pem(&pem).map_err(|err| TlsError::Pem {
            path: ca_key_path.clone(),
            message: err.to_string(),
        })?;
        (key, false)
    } else {
        let key = KeyPair::generate()?;
        let ca = ca_params().self_signed(&key)?;
        write_file(&ca_key_path, &key.serialize_pem(), true)?;
        write_file(&ca_path, &ca.pem(), false)?;
        (key, true)
    };
    let cert_path = dir.join(CERT_FILE);
    let key_path = dir.join(KEY_FILE);
    let current = std::fs::read_to_string(&cert_path).ok();
    let wanted_header = format!("{NAMES_HEADER}{}", names.join(","));
    let up_to_date = !generated_ca
        && key_path.exists()
        && current
            .as_deref()
            .and_then(|pem| pem.lines().next())
            .is_some_and(|first| first == wanted_header);
    if !up_to_date {
        // The same CA key and name re-create an issuer that the stored CA file verifies.
        let issuer = ca_params().self_signed(&ca_key)?;
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(names.clone())?;
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CommonName, names[0].clone());
        subject.push(DnType::OrganizationName, "Flowplane");
        params.distinguished_name = subject;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let leaf = params.signed_by(&key, &issuer, &ca_key)?;
        write_file(&key_path, &key.serialize_pem(), true)?;
        write_file(
            &cert_path,
            &format!("{wanted_header}\n{}", leaf.pem()),
            false,
        )?;
    }
    Ok(generated_ca)
}

/// An exclusive lock file in the TLS directory, removed when dropped. One left behind by a
/// process that died is taken over after a while.
struct DirLock(PathBuf);

impl DirLock {
    const FILE: &'static str = "flowplane-tls.lock";
    const PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

    fn take(dir: &Path) -> io::Result<Self> {
        let path = dir.join(Self::FILE);
        let started = std::time::Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(Self(path)),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    if started.elapsed() > Self::PATIENCE {
                        tracing::warn!(lock = %path.display(), "taking over a stale lock");
                        return Ok(Self(path));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(err) => return Err(err),
            }
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CommonName, CA_NAME);
    subject.push(DnType::OrganizationName, "Flowplane");
    params.distinguished_name = subject;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

/// Writes `contents` to a temporary file beside `path` and renames it over `path`, so that a
/// reader never sees half a file; a private key is readable by its owner only.
fn write_file(path: &Path, contents: &str, private: bool) -> Result<(), TlsError> {
    use std::io::Write;

    let io_error = |source| TlsError::Io {
        path: path.to_owned(),
        source,
    };
    let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(&temporary).map_err(io_error)?;
    file.write_all(contents.as_bytes()).map_err(io_error)?;
    file.sync_all().map_err(io_error)?;
    std::fs::rename(&temporary, path).map_err(io_error)
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = std::fs::read(path).map_err(|source| TlsError::Io {
        path: path.to_owned(),
        source,
    })?;
    let certs = rustls_pemfile::certs(&mut bytes.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| TlsError::Pem {
            path: path.to_owned(),
            message: err.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::Pem {
            path: path.to_owned(),
            message: "no PEM certificate in it".to_owned(),
        });
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = std::fs::read(path).map_err(|source| TlsError::Io {
        path: path.to_owned(),
        source,
    })?;
    rustls_pemfile::private_key(&mut bytes.as_slice())
        .map_err(|err| TlsError::Pem {
            path: path.to_owned(),
            message: err.to_string(),
        })?
        .ok_or_else(|| TlsError::Pem {
            path: path.to_owned(),
            message: "no PEM private key in it".to_owned(),
        })
}
