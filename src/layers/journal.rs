//! The request journal: the last N requests to the cloud faces (Huawei, Alibaba RPC, SLS), newest
//! first, for "my SDK call failed: why?" (`GET /_flowplane/requests?request_id=…`).
//!
//! The edge builds one [`JournalEntry`] per cloud request after its response, from what the
//! request context learnt (operation, tenant, signature verdict, error code), and hands it to
//! [`Journal::record`], which never blocks: entries wait in a bounded in-memory queue (when it
//! is full, the entry is dropped and counted) and a background task writes them in batches
//! (one multi-row `INSERT`), pruning the table to the newest `--journal-size` entries in the same
//! transaction. Entries are in the database, so every process sharing it sees them and they
//! survive restarts. A read of the journal first flushes this process's queue, and shutdown
//! flushes what is left ([`Journal::close`]).
//!
//! Control API calls are not journaled (the journal would fill with its own reads). No secret
//! or signature is ever recorded: the query string's signature, token and secret parameters are
//! redacted, the `Authorization` header is never read, and bodies (only with `--journal-bodies`,
//! the first [`BODY_LIMIT`] bytes) have their password, secret and token fields redacted.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::Notify;

use crate::domain::StorageError;

/// The most bytes of a request or response body one entry keeps.
pub const BODY_LIMIT: usize = 16 * 1024;
/// The most entries waiting to be written; more are dropped (and counted).
const QUEUE_CAPACITY: usize = 10_000;
/// The most entries one `INSERT` writes.
const BATCH: usize = 500;
/// How long the writer waits after the first entry of a batch for more to join it.
const LINGER: Duration = Duration::from_millis(50);
/// What a redacted value is replaced with.
pub const REDACTED: &str = "***";

/// One journaled request.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalEntry {
    pub time: DateTime<Utc>,
    pub face: String,
    pub product: Option<String>,
    pub operation: Option<String>,
    pub tenant: Option<String>,
    pub region: Option<String>,
    pub method: String,
    /// The path and query string, with signature, token and secret parameters redacted.
    pub path: String,
    pub status: u16,
    pub error_code: Option<String>,
    /// Microseconds from the edge receiving the request to its response.
    pub latency_us: i64,
    pub request_id: String,
    /// `valid`, `invalid`, `absent` or `not_checked`.
    pub signature: String,
    /// Why an invalid signature was refused (`SignatureDoesNotMatch`, …).
    pub signature_error: Option<String>,
    pub request_body: Option<String>,
    pub response_body: Option<String>,
}

/// Which entries a read returns.
#[derive(Debug, Clone, Default)]
pub struct JournalFilter {
    pub face: Option<String>,
    pub tenant: Option<String>,
    pub status: Option<StatusFilter>,
    pub request_id: Option<String>,
}

/// A status, or a range of them (`4xx`, `error` = 400 and above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Exactly(u16),
    /// `from..=to`.
    Range(u16, u16),
}

impl StatusFilter {
    /// `404`, `4xx`, `5xx` (any `Nxx` of 1..5) or `error`.
    pub fn parse(value: &str) -> Option<Self> {
        if value.eq_ignore_ascii_case("error") {
            return Some(StatusFilter::Range(400, 599));
        }
        if let Some(class) = value
            .strip_suffix("xx")
            .or_else(|| value.strip_suffix("XX"))
        {
            let class: u16 = class.parse().ok().filter(|c| (1..=5).contains(c))?;
            return Some(StatusFilter::Range(class * 100, class * 100 + 99));
        }
        value
            .parse()
            .ok()
            .filter(|status| (100..=599).contains(status))
            .map(StatusFilter::Exactly)
    }
}

/// Where journal entries are kept.
pub trait JournalRepository: Send + Sync + 'static {
    /// Appends `entries` (oldest first) and prunes the journal to its newest `keep` entries, in
    /// one transaction.
    fn append_requests(
        &self,
        entries: &[JournalEntry],
        keep: u64,
    ) -> impl Future<Output = Result<(), StorageError>> + Send;

    /// A page of the entries `filter` matches, newest first, and how many match in all.
    fn list_requests(
        &self,
        filter: &JournalFilter,
        limit: u32,
        offset: u64,
    ) -> impl Future<Output = Result<(Vec<JournalEntry>, u64), StorageError>> + Send;

    /// The sequence number of the newest entry (0 when none): where a watcher starts.
    fn latest_request_seq(&self) -> impl Future<Output = Result<i64, StorageError>> + Send;

    /// The entries after sequence number `after`, oldest first, at most `limit`, each with its
    /// sequence number.
    fn requests_after(
        &self,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(i64, JournalEntry)>, StorageError>> + Send;

    /// How many entries there are since `since`, and how many of them failed (status 400 and
    /// above).
    fn request_activity(
        &self,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Activity, StorageError>> + Send;
}

/// Requests over a span of time, from the journal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    pub requests: u64,
    pub failed: u64,
}

/// Where the edge hands finished requests: a [`Journal`] over whichever store, so that the edge
/// needs no store.
pub trait Recorder: Send + Sync + 'static {
    /// Whether request and response bodies are kept.
    fn keeps_bodies(&self) -> bool;
    /// Queues an entry; never waits.
    fn record(&self, entry: JournalEntry);
}

impl<R: JournalRepository + Clone> Recorder for Journal<R> {
    fn keeps_bodies(&self) -> bool {
        Journal::keeps_bodies(self)
    }

    fn record(&self, entry: JournalEntry) {
        Journal::record(self, entry)
    }
}

/// The journal's settings (`--journal-size`, `--journal-bodies`).
#[derive(Debug, Clone, Copy)]
pub struct JournalSettings {
    /// The most entries kept; 0 turns the journal off.
    pub size: u64,
    /// Whether request and response bodies are kept.
    pub bodies: bool,
}

/// The journal of one process: its queue and the writer that drains it.
pub struct Journal<R> {
    inner: Arc<Inner<R>>,
}

impl<R> Clone for Journal<R> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<R> {
    store: R,
    settings: JournalSettings,
    queue: Mutex<VecDeque<JournalEntry>>,
    /// The most entries the queue holds.
    capacity: usize,
    /// Held while entries taken from the queue are written, so writes keep the queue's order.
    writing: tokio::sync::Mutex<()>,
    queued: Notify,
    closed: AtomicBool,
    dropped: AtomicU64,
}

impl<R: JournalRepository + Clone> Journal<R> {
    /// A journal over `store`; with a size above 0 its writer task is started (on the current
    /// Tokio runtime) and runs until [`Self::close`].
    pub fn new(store: R, settings: JournalSettings) -> Self {
        Self::with_capacity(store, settings, QUEUE_CAPACITY)
    }

    fn with_capacity(store: R, settings: JournalSettings, capacity: usize) -> Self {
        let journal = Self {
            inner: Arc::new(Inner {
                store,
                settings,
                queue: Mutex::new(VecDeque::new()),
                capacity,
                writing: tokio::sync::Mutex::new(()),
                queued: Notify::new(),
                closed: AtomicBool::new(false),
                dropped: AtomicU64::new(0),
            }),
        };
        if journal.enabled() {
            tokio::spawn(journal.clone().write_while_open());
        }
        journal
    }

    pub fn enabled(&self) -> bool {
        self.inner.settings.size > 0
    }

    /// Whether bodies are kept (`--journal-bodies`).
    pub fn keeps_bodies(&self) -> bool {
        self.enabled() && self.inner.settings.bodies
    }

    /// How many entries were dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.inner.dropped.load(Ordering::Relaxed)
    }

    /// Queues an entry for the writer; never waits. A full queue drops it (and counts it).
    pub fn record(&self, entry: JournalEntry) {
        if !self.enabled() {
            return;
        }
        {
            let mut queue = self.queue();
            if queue.len() >= self.inner.capacity {
                drop(queue);
                let dropped = self.inner.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                tracing::warn!(
                    dropped,
                    "the request journal's queue is full; entry dropped"
                );
                return;
            }
            queue.push_back(entry);
        }
        self.inner.queued.notify_one();
    }

    /// Writes every entry queued so far.
    pub async fn flush(&self) -> Result<(), StorageError> {
        let _writing = self.inner.writing.lock().await;
        loop {
            let batch = self.take_batch();
            if batch.is_empty() {
                return Ok(());
            }
            self.inner
                .store
                .append_requests(&batch, self.inner.settings.size)
                .await?;
        }
    }

    /// Stops the writer and flushes what is queued (at shutdown, before the database closes).
    pub async fn close(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        self.inner.queued.notify_one();
        if let Err(err) = self.flush().await {
            tracing::error!(error = %err, "the request journal could not be flushed at shutdown");
        }
    }

    /// A page of the journal, this process's queue flushed first.
    pub async fn list(
        &self,
        filter: &JournalFilter,
        limit: u32,
        offset: u64,
    ) -> Result<(Vec<JournalEntry>, u64), StorageError> {
        if self.enabled() {
            self.flush().await?;
        }
        self.inner.store.list_requests(filter, limit, offset).await
    }

    /// The sequence number of the newest entry written.
    pub async fn latest_seq(&self) -> Result<i64, StorageError> {
        self.inner.store.latest_request_seq().await
    }

    /// Up to `limit` written entries after sequence number `after`, oldest first: what a
    /// watcher has not seen yet. Unlike [`Self::list`] it does not flush the queue: a watcher
    /// polls, and the writer writes every entry within `LINGER` of it anyway.
    pub async fn after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, JournalEntry)>, StorageError> {
        self.inner.store.requests_after(after, limit).await
    }

    /// The requests journaled since `since`, and how many failed.
    pub async fn activity(&self, since: DateTime<Utc>) -> Result<Activity, StorageError> {
        self.inner.store.request_activity(since).await
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, VecDeque<JournalEntry>> {
        self.inner
            .queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn take_batch(&self) -> Vec<JournalEntry> {
        let mut queue = self.queue();
        let n = queue.len().min(BATCH);
        queue.drain(..n).collect()
    }

    async fn write_while_open(self) {
        while !self.inner.closed.load(Ordering::SeqCst) {
            self.inner.queued.notified().await;
            if self.inner.closed.load(Ordering::SeqCst) {
                break;
            }
            tokio::time::sleep(LINGER).await;
            if let Err(err) = self.flush().await {
                // The entries of the failed batch are lost; the next ones are tried anew.
                tracing::warn!(error = %err, "the request journal could not be written");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Redaction

/// Whether a parameter, header or field of this name holds a secret or a signature.
fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    // How a signature was made, and page tokens, are no secrets.
    const HARMLESS: [&str; 6] = [
        "signaturemethod",
        "signatureversion",
        "signaturenonce",
        "signaturetype",
        "nexttoken",
        "next_token",
    ];
    if HARMLESS.contains(&name.as_str()) {
        return false;
    }
    [
        "signature",
        "token",
        "secret",
        "password",
        "passwd",
        "authorization",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// The path and query string of a request, its secret and signature parameters redacted.
pub fn redacted_target(path: &str, query: Option<&str>) -> String {
    match query {
        None | Some("") => path.to_owned(),
        Some(query) => format!("{path}?{}", redacted_form(query)),
    }
}

/// A `name=value&…` string with the values of secret and signature names redacted; the rest
/// is left exactly as it was.
fn redacted_form(form: &str) -> String {
    form.split('&')
        .map(|pair| {
            let (name, _) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded = form_urlencoded::parse(name.as_bytes())
                .next()
                .map(|(name, _)| name.into_owned())
                .unwrap_or_default();
            if is_secret_name(&decoded) {
                format!("{name}={REDACTED}")
            } else {
                pair.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A body as the journal keeps it: UTF-8 (lossy), secrets redacted (JSON fields, form
/// parameters, XML elements of secret names), cut to [`BODY_LIMIT`] bytes. Empty: `None`.
pub fn journaled_body(body: &[u8], content_type: Option<&str>) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let content_type = content_type.unwrap_or_default().to_ascii_lowercase();
    let text = if let Ok(mut json) = serde_json::from_slice::<Value>(body) {
        redact_json(&mut json);
        json.to_string()
    } else {
        let text = String::from_utf8_lossy(body);
        if content_type.contains("x-www-form-urlencoded") {
            redacted_form(&text)
        } else if content_type.contains("xml") || text.trim_start().starts_with('<') {
            redacted_xml(&text)
        } else {
            text.into_owned()
        }
    };
    Some(truncated(text))
}

/// Redacts the values of secret names; in an object under a secret name (Huawei's
/// `"token": {"id": "MII…"}`), its `id` too.
fn redact_json(value: &mut Value) {
    redact_json_in(value, false);
}

fn redact_json_in(value: &mut Value, in_secret: bool) {
    match value {
        Value::Object(map) => {
            for (name, value) in map.iter_mut() {
                let secret = is_secret_name(name) || (in_secret && name == "id");
                if secret && !value.is_object() {
                    *value = Value::String(REDACTED.to_owned());
                } else {
                    redact_json_in(value, secret);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// `<Name>text</Name>` with the text of secret names redacted.
fn redacted_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|at| open + at) else {
            break;
        };
        let tag = &rest[open + 1..close];
        out.push_str(&rest[..=close]);
        rest = &rest[close + 1..];
        let name = tag.split_whitespace().next().unwrap_or_default();
        if tag.starts_with('/') || tag.ends_with('/') || !is_secret_name(name) {
            continue;
        }
        if let Some(end) = rest.find(&format!("</{name}>")) {
            if !rest[..end].contains('<') {
                out.push_str(REDACTED);
                rest = &rest[end..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn truncated(mut text: String) -> String {
    if text.len() > BODY_LIMIT {
        let mut end = BODY_LIMIT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries in memory; `list_requests` returns them all, newest first.
    #[derive(Clone, Default)]
    struct Memory(Arc<Mutex<Vec<JournalEntry>>>);

    impl JournalRepository for Memory {
        async fn append_requests(
            &self,
            entries: &[JournalEntry],
            keep: u64,
        ) -> Result<(), StorageError> {
            let mut all = self.0.lock().unwrap();
            all.extend_from_slice(entries);
            let excess = all.len().saturating_sub(keep as usize);
            all.drain(..excess);
            Ok(())
        }

        async fn list_requests(
            &self,
            _filter: &JournalFilter,
            _limit: u32,
            _offset: u64,
        ) -> Result<(Vec<JournalEntry>, u64), StorageError> {
            let all: Vec<JournalEntry> = self.0.lock().unwrap().iter().rev().cloned().collect();
            let total = all.len() as u64;
            Ok((all, total))
        }

        async fn latest_request_seq(&self) -> Result<i64, StorageError> {
            Ok(self.0.lock().unwrap().len() as i64)
        }

        async fn requests_after(
            &self,
            after: i64,
            limit: u32,
        ) -> Result<Vec<(i64, JournalEntry)>, StorageError> {
            let all = self.0.lock().unwrap();
            Ok((1i64..)
                .zip(all.iter().cloned())
                .filter(|(seq, _)| *seq > after)
                .take(limit as usize)
                .collect())
        }

        async fn request_activity(&self, since: DateTime<Utc>) -> Result<Activity, StorageError> {
            let all = self.0.lock().unwrap();
            let recent = all.iter().filter(|entry| entry.time >= since);
            Ok(Activity {
                requests: recent.clone().count() as u64,
                failed: recent.filter(|entry| entry.status >= 400).count() as u64,
            })
        }
    }

    fn entry(request_id: &str) -> JournalEntry {
        JournalEntry {
            time: Utc::now(),
            face: "huawei".into(),
            product: None,
            operation: None,
            tenant: None,
            region: None,
            method: "GET".into(),
            path: "/".into(),
            status: 200,
            error_code: None,
            latency_us: 1,
            request_id: request_id.into(),
            signature: "not_checked".into(),
            signature_error: None,
            request_body: None,
            response_body: None,
        }
    }

    #[tokio::test]
    async fn a_full_queue_drops_and_counts_and_a_read_flushes() {
        let store = Memory::default();
        let settings = JournalSettings {
            size: 100,
            bodies: false,
        };
        let journal = Journal::with_capacity(store.clone(), settings, 3);
        for id in ["a", "b", "c", "d", "e"] {
            journal.record(entry(id));
        }
        assert_eq!(journal.dropped(), 2);
        let (entries, total) = journal
            .list(&JournalFilter::default(), 10, 0)
            .await
            .unwrap();
        assert_eq!(total, 3);
        let ids: Vec<&str> = entries.iter().map(|e| e.request_id.as_str()).collect();
        assert_eq!(ids, ["c", "b", "a"]);
        // Room again once written; close writes what is left.
        journal.record(entry("f"));
        journal.close().await;
        assert_eq!(store.0.lock().unwrap().len(), 4);
    }

    #[tokio::test]
    async fn size_zero_records_nothing() {
        let store = Memory::default();
        let journal = Journal::new(
            store.clone(),
            JournalSettings {
                size: 0,
                bodies: true,
            },
        );
        journal.record(entry("a"));
        assert!(!journal.keeps_bodies());
        journal.close().await;
        assert!(store.0.lock().unwrap().is_empty());
    }

    #[test]
    fn status_filters_parse() {
        assert_eq!(StatusFilter::parse("404"), Some(StatusFilter::Exactly(404)));
        assert_eq!(
            StatusFilter::parse("4xx"),
            Some(StatusFilter::Range(400, 499))
        );
        assert_eq!(
            StatusFilter::parse("error"),
            Some(StatusFilter::Range(400, 599))
        );
        for bad in ["", "6xx", "abc", "99", "600", "xx"] {
            assert_eq!(StatusFilter::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn query_secrets_are_redacted() {
        let target = redacted_target(
            "/",
            Some("Action=X&Signature=abc%2B&SecurityToken=tok&AccessKeyId=LTAI&X-Security-Token=t"),
        );
        assert_eq!(
            target,
            "/?Action=X&Signature=***&SecurityToken=***&AccessKeyId=LTAI&X-Security-Token=***"
        );
    }

    #[test]
    fn body_secrets_are_redacted() {
        let body =
            br#"{"auth":{"identity":{"password":{"user":{"name":"u","password":"hunter2"}}}}}"#;
        let kept = journaled_body(body, Some("application/json")).unwrap();
        assert!(!kept.contains("hunter2"), "{kept}");
        assert!(kept.contains("\"name\":\"u\""), "{kept}");
        let body = br#"{"auth":{"identity":{"methods":["token"],"token":{"id":"MIItoken","duration_seconds":900}}}}"#;
        let kept = journaled_body(body, None).unwrap();
        assert!(!kept.contains("MIItoken") && kept.contains("900"), "{kept}");
        let body = br#"{"credential":{"access":"AK","secret":"SK","securitytoken":"T"}}"#;
        let kept = journaled_body(body, None).unwrap();
        assert!(!kept.contains("SK") && !kept.contains("\"T\""), "{kept}");
        let xml = "<R><Credentials><AccessKeySecret>s3cr3t</AccessKeySecret><SecurityToken>tok</SecurityToken><AccessKeyId>STS.a</AccessKeyId></Credentials></R>";
        let kept = journaled_body(xml.as_bytes(), Some("text/xml")).unwrap();
        assert!(!kept.contains("s3cr3t") && !kept.contains("tok<"), "{kept}");
        assert!(kept.contains("STS.a"), "{kept}");
        let form = b"Password=p&Name=n";
        let kept = journaled_body(form, Some("application/x-www-form-urlencoded")).unwrap();
        assert_eq!(kept, "Password=***&Name=n");
        let long = vec![b'a'; BODY_LIMIT * 2];
        assert_eq!(journaled_body(&long, None).unwrap().len(), BODY_LIMIT);
    }
}
