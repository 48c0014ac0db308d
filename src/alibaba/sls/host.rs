//! The project and region a request's `Host` names. SLS addresses a project as
//! `<project>.<endpoint>`; the bare endpoint is for account-wide calls (ListProject). Pure.

/// The region when neither the endpoint nor a V4 scope names one.
pub const DEFAULT_REGION: &str = "cn-hangzhou";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub project: Option<String>,
    /// The region the endpoint names (`cn-hangzhou.log.aliyuncs.com`), if it names one.
    pub region: Option<String>,
}

/// Reads a `Host` value (a port is ignored). Endpoints: an IP literal, `localhost`, Alibaba's
/// `<region>.log.aliyuncs.com` / `<region>-intranet.log.aliyuncs.com` /
/// `<region>.sls.aliyuncs.com`, or any other name of at most two labels (`sls.local`). One
/// more leading label is the project. `None` when the host is none of these.
pub fn parse(host: &str) -> Option<Target> {
    let host = strip_port(host.trim())?.to_ascii_lowercase();
    if host.is_empty() || host.len() > 255 || host.split('.').any(str::is_empty) {
        return None;
    }
    if let Some(region) = endpoint(&host) {
        return Some(Target {
            project: None,
            region,
        });
    }
    let (project, rest) = host.split_once('.')?;
    if project.is_empty() {
        return None;
    }
    let region = match endpoint(rest) {
        Some(region) => region,
        None if rest.split('.').count() >= 2 || is_ip(rest) => None,
        None => return None,
    };
    Some(Target {
        project: Some(project.to_owned()),
        region,
    })
}

fn strip_port(host: &str) -> Option<&str> {
    if let Some(rest) = host.strip_prefix('[') {
        let (address, _) = rest.split_once(']')?;
        return Some(address);
    }
    if host.matches(':').count() > 1 {
        // A bare IPv6 literal.
        return Some(host);
    }
    Some(host.split_once(':').map_or(host, |(name, _)| name))
}

fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok()
}

/// `Some(region)` when `host` is an endpoint (the region it names, if any).
fn endpoint(host: &str) -> Option<Option<String>> {
    if is_ip(host) || host == "localhost" {
        return Some(None);
    }
    for suffix in [".log.aliyuncs.com", ".sls.aliyuncs.com"] {
        if let Some(label) = host.strip_suffix(suffix) {
            if !label.is_empty() && !label.contains('.') {
                let region = label.strip_suffix("-intranet").unwrap_or(label);
                return Some(Some(region.to_owned()));
            }
        }
    }
    if !host.contains('.') || host.split('.').count() == 2 && !host.ends_with(".localhost") {
        return Some(None);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(project: Option<&str>, region: Option<&str>) -> Option<Target> {
        Some(Target {
            project: project.map(str::to_owned),
            region: region.map(str::to_owned),
        })
    }

    #[test]
    fn captured_hosts() {
        assert_eq!(parse("proj1.127.0.0.1"), target(Some("proj1"), None));
        assert_eq!(parse("127.0.0.1"), target(None, None));
        assert_eq!(parse("127.0.0.1:8750"), target(None, None));
        assert_eq!(parse("proj1.127.0.0.1:8750"), target(Some("proj1"), None));
        assert_eq!(parse("proj1.sls.local"), target(Some("proj1"), None));
        assert_eq!(parse("sls.local:8750"), target(None, None));
        assert_eq!(
            parse("proj1.cn-hangzhou.log.aliyuncs.com"),
            target(Some("proj1"), Some("cn-hangzhou"))
        );
        assert_eq!(
            parse("cn-hangzhou.log.aliyuncs.com"),
            target(None, Some("cn-hangzhou"))
        );
        assert_eq!(
            parse("p.cn-shanghai-intranet.log.aliyuncs.com:80"),
            target(Some("p"), Some("cn-shanghai"))
        );
        assert_eq!(parse("localhost:8750"), target(None, None));
        assert_eq!(parse("proj1.localhost"), target(Some("proj1"), None));
        assert_eq!(parse("[::1]:8750"), target(None, None));
    }

    #[test]
    fn hosts_that_name_nothing() {
        assert_eq!(parse(""), None);
        assert_eq!(parse(".sls.local"), None);
        assert_eq!(parse(&"a".repeat(300)), None);
        assert_eq!(parse("[::1"), None);
        assert_eq!(parse("a..b"), None);
        assert_eq!(parse("proj.sls.local."), None);
    }
}
