//! The console's live stream (server-sent events): every request the journal takes, every
//! transition that starts or completes, and new records, as they happen, so a page open
//! beside a Terraform run shows it without reloading.
//!
//! Each stream polls the database (the journal after its last sequence number, the pending
//! transitions through their due-time index, the newest record's number): several processes
//! sharing one Postgres all show up, which an in-process channel could not promise. The
//! stream ends when serving does.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use chrono::SecondsFormat;
use futures_util::stream::{self, Stream};
use serde::{Deserialize, Serialize};

use super::{flow_logs_where, ConsoleError, Params};
use crate::domain::{DomainError, FlowLogFilter, PendingTransition, Provider, Visibility};
use crate::layers::journal::JournalEntry;
use crate::state::AppState;

/// How often a stream looks for news.
const POLL: Duration = Duration::from_millis(500);
/// The most requests one look sends (the rest come with the next).
const REQUESTS_PER_POLL: u32 = 200;
/// The pending transitions a stream follows, soonest due first.
const PENDING_WATCHED: u32 = 500;
/// The most completed transitions looked up one by one per poll; beyond it one summary event.
const LOOKUPS_PER_POLL: usize = 50;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// The journal's sequence number to start after (the page's `Last-Event-ID` wins).
    after: Option<i64>,
}

pub async fn stream(
    State(state): State<AppState>,
    headers: HeaderMap,
    Params(query): Params<EventsQuery>,
) -> Result<Response, ConsoleError> {
    // A reconnecting EventSource says where it stopped.
    let resumed = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok());
    let after = match resumed.or(query.after) {
        Some(after) => after,
        None => state.journal.latest_seq().await?,
    };
    let watch = Watch {
        pending: pending_map(state.flow_logs.pending_transitions(PENDING_WATCHED).await?),
        records: state.records.latest_seq().await?,
        after,
        queue: VecDeque::from([hello()]),
        state,
    };
    Ok(Sse::new(events(watch))
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// What one stream has seen, and the events it has yet to send.
struct Watch {
    state: AppState,
    after: i64,
    pending: HashMap<(Provider, String), PendingTransition>,
    records: i64,
    /// What is yet to be sent, in order.
    queue: VecDeque<Event>,
}

fn events(watch: Watch) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(watch, |mut watch| async move {
        loop {
            if let Some(event) = watch.queue.pop_front() {
                return Some((Ok(event), watch));
            }
            tokio::select! {
                () = watch.state.closing.wait() => return None,
                () = tokio::time::sleep(POLL) => {}
            }
            if let Err(err) = watch.look().await {
                // The next look tries again; what this one saw is still sent.
                tracing::debug!(error = %err, "the console's event stream could not look");
            }
        }
    })
}

fn hello() -> Event {
    Event::default()
        .event("hello")
        .retry(Duration::from_secs(2))
        .data("{}")
}

/// A journaled request as the stream sends it (no bodies: the page shows none).
#[derive(Serialize)]
struct RequestEvent<'a> {
    time: String,
    face: &'a str,
    product: Option<&'a str>,
    operation: Option<&'a str>,
    tenant: Option<&'a str>,
    method: &'a str,
    path: &'a str,
    status: u16,
    error_code: Option<&'a str>,
    latency_ms: f64,
    request_id: &'a str,
}

impl<'a> From<&'a JournalEntry> for RequestEvent<'a> {
    fn from(entry: &'a JournalEntry) -> Self {
        RequestEvent {
            time: entry.time.to_rfc3339_opts(SecondsFormat::Millis, true),
            face: &entry.face,
            product: entry.product.as_deref(),
            operation: entry.operation.as_deref(),
            tenant: entry.tenant.as_deref(),
            method: &entry.method,
            path: &entry.path,
            status: entry.status,
            error_code: entry.error_code.as_deref(),
            latency_ms: entry.latency_us as f64 / 1000.0,
            request_id: &entry.request_id,
        }
    }
}

/// A resource whose transition started (`status` transitional) or completed (`status` where it
/// settled, `deleted` when it went).
#[derive(Serialize)]
struct StateEvent<'a> {
    provider: &'a str,
    tenant: &'a str,
    kind: &'a str,
    id: &'a str,
    from: Option<&'a str>,
    status: &'a str,
}

fn state_event(transition: &PendingTransition, from: Option<&str>, status: &str) -> Event {
    json_event(
        "state",
        &StateEvent {
            provider: transition.scope.provider().as_str(),
            tenant: transition.scope.tenant_id(),
            kind: &transition.kind,
            id: &transition.id,
            from,
            status,
        },
    )
}

fn json_event(name: &str, data: &impl Serialize) -> Event {
    Event::default()
        .event(name)
        .data(serde_json::to_string(data).unwrap_or_else(|_| "{}".to_owned()))
}

fn pending_map(pending: Vec<PendingTransition>) -> HashMap<(Provider, String), PendingTransition> {
    pending
        .into_iter()
        .map(|transition| {
            (
                (transition.scope.provider(), transition.id.clone()),
                transition,
            )
        })
        .collect()
}

impl Watch {
    /// Queues what happened since the last look.
    async fn look(&mut self) -> Result<(), DomainError> {
        for (seq, entry) in self
            .state
            .journal
            .after(self.after, REQUESTS_PER_POLL)
            .await?
        {
            self.after = seq;
            self.queue
                .push_back(json_event("request", &RequestEvent::from(&entry)).id(seq.to_string()));
        }

        let pending = pending_map(
            self.state
                .flow_logs
                .pending_transitions(PENDING_WATCHED)
                .await?,
        );
        for (key, transition) in &pending {
            let known = self.pending.get(key);
            if known.is_none_or(|known| known.status != transition.status) {
                let from = known.map(|known| known.status.as_str());
                self.queue
                    .push_back(state_event(transition, from, &transition.status));
            }
        }
        let completed: Vec<&PendingTransition> = self
            .pending
            .iter()
            .filter(|(key, _)| !pending.contains_key(*key))
            .map(|(_, transition)| transition)
            .collect();
        if completed.len() > LOOKUPS_PER_POLL {
            self.queue.push_back(json_event(
                "state",
                &serde_json::json!({ "completed": completed.len() }),
            ));
        } else {
            for transition in completed {
                let now = self.status_now(transition).await?;
                let now = now.as_deref().unwrap_or("deleted");
                self.queue
                    .push_back(state_event(transition, Some(&transition.status), now));
            }
        }
        self.pending = pending;

        let records = self.state.records.latest_seq().await?;
        if records != self.records {
            self.records = records;
            self.queue.push_back(json_event(
                "records",
                &serde_json::json!({ "seq": records }),
            ));
        }
        Ok(())
    }

    /// The status a resource whose transition completed has now; `None` when it is gone.
    async fn status_now(
        &self,
        transition: &PendingTransition,
    ) -> Result<Option<String>, DomainError> {
        let scope = &transition.scope;
        if transition.kind == "flow_log" {
            let filter = FlowLogFilter {
                ids: vec![transition.id.clone()],
                ..Default::default()
            };
            let found = flow_logs_where(&self.state, Visibility::Tenant(scope), filter, 1).await?;
            Ok(found
                .first()
                .map(|flow_log| flow_log.status.as_str().to_owned()))
        } else {
            let found = self.state.network.find(scope, &transition.id).await?;
            Ok(found.map(|resource| resource.status.as_str().to_owned()))
        }
    }
}
