//! The request context: what is known about the request being served, for the layers that cut
//! across faces (the request log today; faults, metrics and the journal later). The edge creates
//! it with the face and the request id; the face's gateway adds the product and operation when
//! it has routed the request, and the tenant when it has authenticated the caller.
//!
//! It travels in the request's extensions and in a task-local, so that an error rendered deep
//! inside a handler still carries the request id.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

tokio::task_local! {
    static CURRENT: Arc<RequestContext>;
}

/// The faces one listener serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaceKind {
    Huawei,
    Alibaba,
    /// Alibaba's Simple Log Service: a REST API of its own, claimed by its headers.
    Sls,
    Control,
}

impl FaceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FaceKind::Huawei => "huawei",
            FaceKind::Alibaba => "alibaba",
            FaceKind::Sls => "sls",
            FaceKind::Control => "control",
        }
    }
}

/// The id of one request, already formatted the way its face writes ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    pub fn new(id: String) -> Self {
        Self(id)
    }

    /// The id of the request being served on this task; a fresh one outside any request.
    pub fn current() -> RequestId {
        CURRENT
            .try_with(|context| context.request_id.clone())
            .unwrap_or_else(|_| RequestId(uuid::Uuid::new_v4().simple().to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The cloud API operation a request was routed to: the product (`vpc`, `iam`, `lts`, …) and the
/// operation as the official SDKs name it (`CreateFlowLog`, `DescribeFlowLogs`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    pub product: &'static str,
    pub name: &'static str,
}

/// Whose request it is: Huawei's project, or Alibaba's account and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: String,
    pub region: Option<String>,
}

/// What the gateway's signature check concluded (the request journal shows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureVerdict {
    /// The signature (or token) was checked and accepted.
    Valid,
    /// It was checked and refused; the reason is a short code (`SignatureDoesNotMatch`,
    /// `InvalidTimeStamp.Expired`, `UnknownAccessKey`, …), never a signature or secret.
    Invalid(String),
    /// `--auth verify`, but the request carried no signature or token.
    Absent,
    /// `--auth off`, or the request never reached a signature check.
    NotChecked,
}

impl SignatureVerdict {
    /// `valid`, `invalid`, `absent` or `not_checked` (SPEC §5).
    pub fn as_str(&self) -> &'static str {
        match self {
            SignatureVerdict::Valid => "valid",
            SignatureVerdict::Invalid(_) => "invalid",
            SignatureVerdict::Absent => "absent",
            SignatureVerdict::NotChecked => "not_checked",
        }
    }

    /// Why an invalid signature was refused.
    pub fn reason(&self) -> Option<&str> {
        match self {
            SignatureVerdict::Invalid(reason) => Some(reason),
            _ => None,
        }
    }
}

/// What is known about one request. Each part is set once, by the layer that learns it.
#[derive(Debug)]
pub struct RequestContext {
    face: FaceKind,
    request_id: RequestId,
    operation: OnceLock<Operation>,
    tenant: OnceLock<Tenant>,
    signature: OnceLock<SignatureVerdict>,
    /// The cloud error code of the error answer rendered last (the one the caller sees).
    error_code: Mutex<Option<String>>,
}

impl RequestContext {
    pub fn new(face: FaceKind, request_id: RequestId) -> Self {
        Self {
            face,
            request_id,
            operation: OnceLock::new(),
            tenant: OnceLock::new(),
            signature: OnceLock::new(),
            error_code: Mutex::new(None),
        }
    }

    /// The context of the request being served on this task, if any.
    pub fn current() -> Option<Arc<RequestContext>> {
        CURRENT.try_with(Arc::clone).ok()
    }

    /// The context a request carries in its extensions (the edge puts it there).
    pub fn of(extensions: &Extensions) -> Option<&Arc<RequestContext>> {
        extensions.get::<Arc<RequestContext>>()
    }

    /// Runs `future` with `context` as the current request's.
    pub async fn scope<F: std::future::Future>(context: Arc<Self>, future: F) -> F::Output {
        CURRENT.scope(context, future).await
    }

    pub fn face(&self) -> FaceKind {
        self.face
    }

    pub fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    pub fn operation(&self) -> Option<Operation> {
        self.operation.get().copied()
    }

    pub fn tenant(&self) -> Option<&Tenant> {
        self.tenant.get()
    }

    /// Records the operation the gateway routed the request to; the first one set stays.
    pub fn set_operation(&self, product: &'static str, name: &'static str) {
        let _ = self.operation.set(Operation { product, name });
    }

    /// The signature verdict the gateway recorded, if it checked one.
    pub fn signature(&self) -> Option<&SignatureVerdict> {
        self.signature.get()
    }

    /// Records the gateway's signature verdict; the first one set stays.
    pub fn set_signature(&self, verdict: SignatureVerdict) {
        let _ = self.signature.set(verdict);
    }

    /// The cloud error code of the error answer, if one was rendered.
    pub fn error_code(&self) -> Option<String> {
        self.error_code
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Records the cloud error code of the error answer being rendered; the last one set stays
    /// (it is the one the caller sees).
    pub fn set_error_code(&self, code: impl Into<String>) {
        *self
            .error_code
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(code.into());
    }

    /// [`Self::set_error_code`] on the request being served on this task, if any: for the faces'
    /// error envelopes, which render deep inside handlers.
    pub fn record_error_code(code: impl Into<String>) {
        if let Some(context) = Self::current() {
            context.set_error_code(code);
        }
    }

    /// [`Self::set_signature`] on the request being served on this task, if any.
    pub fn record_signature(verdict: SignatureVerdict) {
        if let Some(context) = Self::current() {
            context.set_signature(verdict);
        }
    }

    /// Records the authenticated caller's tenant; the first one set stays.
    pub fn set_tenant(&self, id: impl Into<String>, region: Option<String>) {
        let _ = self.tenant.set(Tenant {
            id: id.into(),
            region,
        });
    }
}

/// A failure any layer can raise, outside a product's own error handling. It travels as a
/// response extension to the edge, which renders it in the envelope of the request's face and
/// product ([`Face::render`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No route matches the path.
    NoSuchRoute,
    /// The path exists, not with this method.
    MethodNotAllowed,
    /// The request ran past its deadline.
    Timeout,
    /// A bug: a handler panicked.
    Internal,
    /// A cloud error chosen by a layer (a fault rule, say), rendered with the product's envelope.
    Cloud {
        status: StatusCode,
        code: String,
        message: String,
    },
    /// The face's own throttling error, as its SDKs recognise it; `retry_after` is what the
    /// cloud tells the caller to wait where it says so (Alibaba's `x-acs-retry-after`).
    Throttled { retry_after: Duration },
}

/// A response extension: close the connection instead of answering (a fault rule's dropped
/// connection). The listener sees it and closes the socket without writing a byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DropConnection;

/// A request extension a gateway adds when a call's parameters are not all in its URI (an
/// Alibaba RPC call's form body): whether one of them carries `value`, for layers that match on
/// a resource id the call names.
pub trait NamedValues: Send + Sync {
    fn names(&self, value: &str) -> bool;
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// What each face provides to the shared edge: which requests are its own, how it writes
/// request ids, and how it renders a [`Failure`] in its cloud's envelope.
pub trait Face: Send + Sync + 'static {
    fn kind(&self) -> FaceKind;

    /// Whether a request with this path and these headers is this face's. Most faces look at
    /// the path only; SLS shares paths with the others and is told apart by its headers.
    fn claims(&self, path: &str, headers: &HeaderMap) -> bool;

    /// A fresh request id, written as the cloud writes them.
    fn new_request_id(&self) -> RequestId;

    /// The failure in the face's envelope, for the product the context names (if routed).
    fn render(&self, context: &RequestContext, failure: &Failure) -> Response;
}
