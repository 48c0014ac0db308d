//! A tracing span around the handler naming the face, product, operation and tenant, so that
//! whatever the handler logs (a database failure, say) says which call of whose it was.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::context::RequestContext;

pub async fn enter(request: Request, next: Next) -> Response {
    let Some(context) = RequestContext::of(request.extensions()) else {
        return next.run(request).await;
    };
    let operation = context.operation();
    let span = tracing::info_span!(
        "operation",
        face = context.face().as_str(),
        product = operation.map(|op| op.product),
        operation = operation.map(|op| op.name),
        tenant = context.tenant().map(|tenant| tenant.id.as_str()),
        region = context.tenant().and_then(|tenant| tenant.region.as_deref()),
    );
    next.run(request).instrument(span).await
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use axum::extract::Request;
    use axum::middleware::{self, Next};
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    use crate::context::{FaceKind, RequestContext, RequestId};
    use crate::layers::around_operation;

    /// Log lines written to a shared buffer.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn what_a_handler_logs_names_the_operation_and_tenant() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_writer(move || writer.clone())
            .finish();
        let _default = tracing::subscriber::set_default(subscriber);

        // What the edge and the gateway would have learnt by the time the handler runs.
        let known = |mut request: Request, next: Next| async move {
            let context = RequestContext::new(FaceKind::Alibaba, RequestId::new("R1".into()));
            context.set_operation("vpc", "DescribeFlowLogs");
            context.set_tenant("1234567890123456", Some("cn-hangzhou".into()));
            request.extensions_mut().insert(Arc::new(context));
            next.run(request).await
        };
        let handler = get(|| async {
            tracing::info!("inside the handler");
            "ok"
        });
        let router = Router::new()
            .route("/", around_operation(handler))
            .layer(middleware::from_fn(known));
        let request = Request::builder().uri("/").body(Body::empty()).unwrap();
        router.oneshot(request).await.unwrap();

        let output = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let event: serde_json::Value = output
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .find(|event: &serde_json::Value| event["fields"]["message"] == "inside the handler")
            .expect("the handler's event");
        let span = &event["span"];
        assert_eq!(span["name"], "operation", "{event}");
        assert_eq!(span["face"], "alibaba", "{event}");
        assert_eq!(span["product"], "vpc", "{event}");
        assert_eq!(span["operation"], "DescribeFlowLogs", "{event}");
        assert_eq!(span["tenant"], "1234567890123456", "{event}");
        assert_eq!(span["region"], "cn-hangzhou", "{event}");
    }
}
