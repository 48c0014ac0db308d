//! What a reset of the world covers: a provider, a tenant and a product narrow it, and the
//! domain (not the control API, not the store) decides which kinds of stored things that is.
//!
//! Products are the clouds' own names, plus two finer ones:
//!
//! | product    | provider | what goes |
//! |------------|----------|-----------|
//! | `vpc`      | both     | flow logs (tags, Alibaba's service activation) and the network: VPCs, subnets/vSwitches, ports/ENIs and their tags |
//! | `flowlogs` | both     | flow logs only (tags, service activation) |
//! | `lts`      | huawei   | log groups, log streams and their records |
//! | `sls`      | alibaba  | projects, logstores and their records |
//! | `records`  | both     | delivered flow-log records only |
//! | `iam`      | huawei   | issued IAM tokens and temporary access keys |
//! | `sts`      | alibaba  | STS temporary keys |
//!
//! No product means all of them; no provider and no tenant as well means everything, signature
//! nonces included. Issued tokens and keys belong to users and accounts, not to a tenant's
//! region or project, so a tenant reset leaves them (and `iam`/`sts` with a tenant is refused).
//! An Alibaba account's resource groups are derived from its id, never stored: after a reset
//! they are there as for a new account.

use std::collections::BTreeMap;
use std::fmt;

use super::Provider;

/// A product of the reset vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetProduct {
    Vpc,
    FlowLogs,
    Lts,
    Sls,
    Records,
    Iam,
    Sts,
}

impl ResetProduct {
    pub const ALL: [ResetProduct; 7] = [
        ResetProduct::Vpc,
        ResetProduct::FlowLogs,
        ResetProduct::Lts,
        ResetProduct::Sls,
        ResetProduct::Records,
        ResetProduct::Iam,
        ResetProduct::Sts,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResetProduct::Vpc => "vpc",
            ResetProduct::FlowLogs => "flowlogs",
            ResetProduct::Lts => "lts",
            ResetProduct::Sls => "sls",
            ResetProduct::Records => "records",
            ResetProduct::Iam => "iam",
            ResetProduct::Sts => "sts",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == value)
    }

    /// The one provider the product belongs to, if it is one cloud's.
    fn provider(self) -> Option<Provider> {
        match self {
            ResetProduct::Lts | ResetProduct::Iam => Some(Provider::Huawei),
            ResetProduct::Sls | ResetProduct::Sts => Some(Provider::Alibaba),
            ResetProduct::Vpc | ResetProduct::FlowLogs | ResetProduct::Records => None,
        }
    }

    fn areas(self) -> &'static [ResetArea] {
        match self {
            ResetProduct::Vpc => &[ResetArea::FlowLogs, ResetArea::Network],
            ResetProduct::FlowLogs => &[ResetArea::FlowLogs],
            ResetProduct::Lts | ResetProduct::Sls => &[ResetArea::Destinations],
            ResetProduct::Records => &[ResetArea::Records],
            ResetProduct::Iam | ResetProduct::Sts => &[ResetArea::Issued],
        }
    }
}

/// A kind of stored thing a reset deletes, each with its own statements in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetArea {
    /// Flow logs, their tags and service activations.
    FlowLogs,
    /// Network resources and their tags.
    Network,
    /// Log groups, log streams and their records.
    Destinations,
    /// Records alone.
    Records,
    /// Issued tokens and temporary keys.
    Issued,
    /// Signature nonces (a whole reset only).
    Nonces,
}

/// A tenant to reset: a Huawei project id or an Alibaba account id (with, optionally, one of
/// its regions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetTenant {
    pub id: String,
    pub region_id: Option<String>,
}

/// Why a reset scope is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetScopeError(String);

impl fmt::Display for ResetScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ResetScopeError {}

/// What one reset covers. Built only by [`ResetScope::new`], which refuses combinations that
/// name nothing (a product of the other cloud, a region without an Alibaba tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetScope {
    provider: Option<Provider>,
    tenant: Option<ResetTenant>,
    product: Option<ResetProduct>,
}

impl ResetScope {
    /// Everything.
    pub fn all() -> Self {
        Self {
            provider: None,
            tenant: None,
            product: None,
        }
    }

    pub fn new(
        provider: Option<Provider>,
        tenant: Option<String>,
        region: Option<String>,
        product: Option<ResetProduct>,
    ) -> Result<Self, ResetScopeError> {
        let mut provider = provider;
        if let Some(owner) = product.and_then(ResetProduct::provider) {
            match provider {
                Some(given) if given != owner => {
                    return Err(ResetScopeError(format!(
                        "product {} is {}'s, not {}'s",
                        product.map(ResetProduct::as_str).unwrap_or_default(),
                        owner.as_str(),
                        given.as_str()
                    )))
                }
                _ => provider = Some(owner),
            }
        }
        if let Some(tenant) = &tenant {
            check_id("tenant", tenant)?;
            if matches!(product, Some(ResetProduct::Iam | ResetProduct::Sts)) {
                return Err(ResetScopeError(
                    "issued tokens and keys belong to users, not to a tenant: reset iam or sts \
                     without tenant"
                        .into(),
                ));
            }
        }
        if let Some(region) = &region {
            check_id("region", region)?;
            if tenant.is_none() {
                return Err(ResetScopeError("region needs a tenant".into()));
            }
            match provider {
                Some(Provider::Huawei) => {
                    return Err(ResetScopeError(
                        "region narrows an Alibaba tenant; a Huawei project has no region".into(),
                    ))
                }
                _ => provider = Some(Provider::Alibaba),
            }
        }
        Ok(Self {
            provider,
            tenant: tenant.map(|id| ResetTenant {
                id,
                region_id: region,
            }),
            product,
        })
    }

    pub fn provider(&self) -> Option<Provider> {
        self.provider
    }

    pub fn tenant(&self) -> Option<&ResetTenant> {
        self.tenant.as_ref()
    }

    /// The areas it deletes from, in an order that deletes children before parents.
    pub fn areas(&self) -> Vec<ResetArea> {
        match self.product {
            Some(product) => product.areas().to_vec(),
            None => {
                let mut areas = vec![
                    ResetArea::FlowLogs,
                    ResetArea::Network,
                    ResetArea::Destinations,
                ];
                if self.tenant.is_none() {
                    areas.push(ResetArea::Issued);
                    if self.provider.is_none() {
                        areas.push(ResetArea::Nonces);
                    }
                }
                areas
            }
        }
    }
}

/// A tenant or region id: 1 to 64 letters, digits, `-`, `_` or `.`.
fn check_id(what: &str, value: &str) -> Result<(), ResetScopeError> {
    let fits = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if fits {
        Ok(())
    } else {
        Err(ResetScopeError(format!(
            "{what} must be 1 to 64 letters, digits, '-', '_' or '.', not {value:?}"
        )))
    }
}

/// How many rows of each kind a reset deleted (`flow_logs`, `network_resources`, …): every
/// kind of the areas it covered, zeros included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResetCounts(BTreeMap<&'static str, u64>);

impl ResetCounts {
    pub fn add(&mut self, kind: &'static str, deleted: u64) {
        *self.0.entry(kind).or_default() += deleted;
    }

    pub fn get(&self, kind: &str) -> u64 {
        self.0.get(kind).copied().unwrap_or_default()
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    pub fn by_kind(&self) -> &BTreeMap<&'static str, u64> {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(
        provider: Option<Provider>,
        tenant: Option<&str>,
        region: Option<&str>,
        product: Option<&str>,
    ) -> Result<ResetScope, ResetScopeError> {
        ResetScope::new(
            provider,
            tenant.map(Into::into),
            region.map(Into::into),
            product.map(|p| ResetProduct::parse(p).unwrap()),
        )
    }

    #[test]
    fn a_whole_reset_covers_every_area() {
        assert_eq!(
            ResetScope::all().areas(),
            [
                ResetArea::FlowLogs,
                ResetArea::Network,
                ResetArea::Destinations,
                ResetArea::Issued,
                ResetArea::Nonces
            ]
        );
        let huawei = scope(Some(Provider::Huawei), None, None, None).unwrap();
        assert!(!huawei.areas().contains(&ResetArea::Nonces));
        assert!(huawei.areas().contains(&ResetArea::Issued));
        let tenant = scope(None, Some("p1"), None, None).unwrap();
        assert!(!tenant.areas().contains(&ResetArea::Issued));
    }

    #[test]
    fn a_product_of_one_cloud_names_its_provider() {
        assert_eq!(
            scope(None, None, None, Some("lts")).unwrap().provider(),
            Some(Provider::Huawei)
        );
        assert_eq!(
            scope(None, None, None, Some("sts")).unwrap().provider(),
            Some(Provider::Alibaba)
        );
        assert!(scope(Some(Provider::Alibaba), None, None, Some("lts")).is_err());
        assert!(scope(Some(Provider::Huawei), None, None, Some("sls")).is_err());
        assert_eq!(
            scope(None, None, None, Some("vpc")).unwrap().provider(),
            None
        );
    }

    #[test]
    fn bad_tenants_and_regions_are_refused() {
        assert!(scope(None, Some(""), None, None).is_err());
        assert!(scope(None, Some("a'b"), None, None).is_err());
        assert!(scope(None, None, Some("cn-hangzhou"), None).is_err());
        assert!(scope(Some(Provider::Huawei), Some("p"), Some("cn-hangzhou"), None).is_err());
        assert!(scope(None, Some("1"), None, Some("iam")).is_err());
        let alibaba = scope(None, Some("1"), Some("cn-hangzhou"), None).unwrap();
        assert_eq!(alibaba.provider(), Some(Provider::Alibaba));
    }
}
