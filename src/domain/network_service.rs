//! The network service the cloud products call: creates VPCs, subnets and interfaces inside
//! their parents (address blocks inside the parent's, no overlap with siblings, interface
//! addresses allocated from the subnet), runs their life cycle, and refuses to delete what still
//! holds resources. The checks against a parent and its children hold under concurrency: the
//! child is inserted only while the parent is unchanged since it was read.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

use super::cidr::Ipv4Cidr;
use super::error::DomainError;
use super::fault_service::FaultService;
use super::faults::{TransitionFacts, TransitionOutcome};
use super::lifecycle::{due_time, Completed};
use super::model::{Page, Provider, ResourceKind, Tag, TagFilter, TenantScope};
use super::network::{
    generate_mac_address, generate_resource_id, parent_kind, NetworkChanges, NetworkFilter,
    NetworkResource, NetworkStatus, NewNetworkResource,
};
use super::repository::{
    NetworkInsertion, NetworkRemoval, ParentGuard, Repository, ResourceTag, StorageError, TagOwner,
    TagWrite, Visibility,
};
use super::transition_settings::{TransitionKind, TransitionMode};

/// How often a create is tried again when the parent changed between its read and the insert.
const PARENT_RETRIES: usize = 64;

/// How long each provider's network resources stay `Pending` after a create and `Deleting`
/// after a delete; zero settles at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkDelays {
    pub huawei: Duration,
    pub alibaba: Duration,
}

impl NetworkDelays {
    fn for_provider(self, provider: Provider) -> Duration {
        match provider {
            Provider::Huawei => self.huawei,
            Provider::Alibaba => self.alibaba,
        }
    }

    /// How long a new resource of `kind` stays `Pending`: the provider's delay, except for an
    /// interface, which the clouds answer settled (ECS's CreateNetworkInterface answers
    /// `Available`, and an ENI can be used at once; Huawei's ports are created at once). Deleting
    /// one still takes the provider's delay.
    fn on_create(self, provider: Provider, kind: ResourceKind) -> Duration {
        match kind {
            ResourceKind::NetworkInterface => Duration::ZERO,
            ResourceKind::Vpc | ResourceKind::Subnet => self.for_provider(provider),
        }
    }
}

/// How many tags one network resource may carry: Huawei's VPC tags allow 10, Alibaba's 20.
pub fn max_network_tags(provider: Provider) -> usize {
    match provider {
        Provider::Huawei => 10,
        Provider::Alibaba => 20,
    }
}

/// An unbounded page, for reading every child of a few parents.
const EVERYTHING: Page = Page::Offset {
    offset: 0,
    limit: u32::MAX,
};

#[derive(Clone)]
pub struct NetworkService<R> {
    store: R,
    delays: NetworkDelays,
    /// Woken whenever a transition is scheduled (shared with the flow-log service's worker).
    work_scheduled: Arc<Notify>,
    /// Fault rules that make a transition stick.
    faults: FaultService<R>,
}

impl<R: Repository> NetworkService<R> {
    pub fn new(
        store: R,
        delays: NetworkDelays,
        work_scheduled: Arc<Notify>,
        faults: FaultService<R>,
    ) -> Self {
        Self {
            store,
            delays,
            work_scheduled,
            faults,
        }
    }

    /// How long a transition of a provider's `kind` lasts now: its stored setting (one keyed
    /// read per transitional operation), or the provider's delay. An interface's create settles
    /// at once whatever the setting (see [`NetworkDelays::on_create`]); the setting governs its
    /// delete.
    /// A `stuck` fault rule that fires makes it never come due by itself; `id` is the
    /// resource's (none before a create), for rules that name one.
    async fn delay_for(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        id: Option<&str>,
    ) -> Result<Duration, DomainError> {
        let provider = scope.provider();
        let stored = self
            .store
            .transition_mode(provider, TransitionKind::Network(kind))
            .await?;
        let facts = TransitionFacts {
            provider,
            kind: TransitionKind::Network(kind),
            tenant: scope.tenant_id(),
            region: scope.region_id(),
            resource_ids: id.as_slice(),
            activation: false,
        };
        if self.faults.on_transition(&facts).await? == Some(TransitionOutcome::Stuck) {
            return Ok(Duration::MAX);
        }
        Ok(stored.map_or_else(|| self.delays.for_provider(provider), TransitionMode::delay))
    }

    /// Creates a resource of `kind` in `parent_id` (none for a VPC). A subnet's block must lie
    /// inside its VPC's and overlap no other subnet of it; an interface gets the address asked
    /// for, if free, or the first free one.
    pub async fn create(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        parent_id: Option<&str>,
        spec: NewNetworkResource,
    ) -> Result<NetworkResource, DomainError> {
        let now = Utc::now();
        let delay = match kind {
            ResourceKind::NetworkInterface => self.delays.on_create(scope.provider(), kind),
            ResourceKind::Vpc | ResourceKind::Subnet => self.delay_for(scope, kind, None).await?,
        };
        let (status, due_at) = if delay.is_zero() {
            (NetworkStatus::Available, None)
        } else {
            (NetworkStatus::Pending, Some(due_time(now, delay)))
        };
        let id = generate_resource_id(scope.provider(), kind);
        let mut resource = NetworkResource {
            vpc_id: id.clone(),
            id,
            scope: scope.clone(),
            kind,
            parent_id: parent_id.map(str::to_owned),
            spec,
            mac_address: (kind == ResourceKind::NetworkInterface)
                .then(|| generate_mac_address(scope.provider())),
            status,
            due_at,
            created_at: now,
            updated_at: now,
            revision: 0,
        };
        let (Some(parent_id), Some(parent_kind)) = (parent_id, parent_kind(kind)) else {
            self.store.insert_network(&resource, None).await?;
            self.wake_if_pending(due_at);
            return Ok(resource);
        };
        let asked_address = resource.spec.private_ip;
        for _ in 0..PARENT_RETRIES {
            let parent = self.parent(scope, parent_kind, parent_id).await?;
            let (siblings, _) = self
                .store
                .list_network(
                    Visibility::Tenant(scope),
                    kind,
                    &NetworkFilter {
                        parent_ids: vec![parent.id.clone()],
                        ..Default::default()
                    },
                    &EVERYTHING,
                    false,
                )
                .await?;
            resource.vpc_id = parent.vpc_id.clone();
            match kind {
                ResourceKind::Subnet => check_subnet(&resource.spec, &parent, &siblings)?,
                ResourceKind::NetworkInterface => {
                    resource.spec.private_ip =
                        Some(interface_address(asked_address, &parent, &siblings)?);
                    if resource.spec.zone.is_none() {
                        resource.spec.zone = parent.spec.zone.clone();
                    }
                }
                ResourceKind::Vpc => {}
            }
            let guard = ParentGuard {
                id: &parent.id,
                revision: parent.revision,
                statuses: &[NetworkStatus::Available],
            };
            match self.store.insert_network(&resource, Some(guard)).await {
                Ok(NetworkInsertion::Inserted) => {
                    self.wake_if_pending(due_at);
                    return Ok(resource);
                }
                Ok(NetworkInsertion::ParentChanged) => continue,
                Err(StorageError::UniqueViolation) => {
                    // Another interface took the address between the read and the insert.
                    if let Some(address) = asked_address {
                        return Err(DomainError::AddressInUse { address });
                    }
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(StorageError::Unavailable("the parent kept changing under a create".into()).into())
    }

    /// The parent a new resource goes in: it must exist as `kind` and be available.
    async fn parent(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<NetworkResource, DomainError> {
        let parent = self
            .store
            .get_network(scope, id)
            .await?
            .filter(|parent| parent.kind == kind)
            .ok_or_else(|| DomainError::ParentNotFound {
                kind,
                id: id.to_owned(),
            })?;
        if parent.status != NetworkStatus::Available {
            return Err(DomainError::ParentNotReady {
                kind,
                id: parent.id,
                status: parent.status,
            });
        }
        Ok(parent)
    }

    /// The resource of `kind` with this id in the scope.
    pub async fn get(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<NetworkResource, DomainError> {
        self.store
            .get_network(scope, id)
            .await?
            .filter(|resource| resource.kind == kind)
            .ok_or_else(|| not_found(kind, id))
    }

    /// The resource with this id in the scope, whatever its kind.
    pub async fn find(
        &self,
        scope: &TenantScope,
        id: &str,
    ) -> Result<Option<NetworkResource>, DomainError> {
        Ok(self.store.get_network(scope, id).await?)
    }

    /// One page of the tenant's matching resources of `kind`, in creation order.
    pub async fn list(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        filter: &NetworkFilter,
        page: &Page,
    ) -> Result<Vec<NetworkResource>, DomainError> {
        self.list_any(Visibility::Tenant(scope), kind, filter, page)
            .await
    }

    /// One page of the matching resources of `kind` across tenants (for the console), in
    /// creation order.
    pub async fn list_any(
        &self,
        visibility: Visibility<'_>,
        kind: ResourceKind,
        filter: &NetworkFilter,
        page: &Page,
    ) -> Result<Vec<NetworkResource>, DomainError> {
        let (resources, _) = self
            .store
            .list_network(visibility, kind, filter, page, false)
            .await?;
        Ok(resources)
    }

    /// One page by offset and how many match in all, read together.
    pub async fn counted_page(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        filter: &NetworkFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<NetworkResource>, u64), DomainError> {
        Ok(self
            .store
            .list_network(
                Visibility::Tenant(scope),
                kind,
                filter,
                &Page::Offset { offset, limit },
                true,
            )
            .await?)
    }

    /// Every resource of `kind` lying directly in one of `parent_ids` (a VPC's subnets, say).
    pub async fn children(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        parent_ids: Vec<String>,
    ) -> Result<Vec<NetworkResource>, DomainError> {
        if parent_ids.is_empty() {
            return Ok(Vec::new());
        }
        let filter = NetworkFilter {
            parent_ids,
            ..Default::default()
        };
        self.list(scope, kind, &filter, &EVERYTHING).await
    }

    /// How many addresses of a subnet are still free for interfaces: its block, less the network
    /// address, the gateway and the last three (which the clouds keep), less its interfaces'.
    pub async fn free_addresses(
        &self,
        scope: &TenantScope,
        subnets: &[NetworkResource],
    ) -> Result<Vec<u64>, DomainError> {
        let ids: Vec<String> = subnets.iter().map(|subnet| subnet.id.clone()).collect();
        let counts = if ids.is_empty() {
            Vec::new()
        } else {
            self.store.count_children(scope, &ids).await?
        };
        Ok(subnets
            .iter()
            .map(|subnet| {
                let used = counts
                    .iter()
                    .find(|(id, _)| *id == subnet.id)
                    .map_or(0, |(_, count)| *count);
                let reserved = 4 + u64::from(subnet.spec.gateway_ip.is_some());
                let size = subnet.spec.cidr.map_or(0, Ipv4Cidr::size);
                size.saturating_sub(reserved).saturating_sub(used)
            })
            .collect())
    }

    /// Changes name, description, resource group or attributes of a resource of `kind` that is
    /// in one of `allowed`.
    pub async fn update(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        id: &str,
        changes: &NetworkChanges,
        allowed: &[NetworkStatus],
    ) -> Result<NetworkResource, DomainError> {
        let updated = self
            .store
            .update_network(scope, kind, id, allowed, changes, Utc::now())
            .await?;
        match updated {
            Some(resource) => Ok(resource),
            None => Err(self.refusal(scope, kind, id).await),
        }
    }

    /// Deletes an available resource of `kind` that holds nothing: at once, or through
    /// `Deleting` for the provider's delay.
    pub async fn delete(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        id: &str,
    ) -> Result<(), DomainError> {
        let now = Utc::now();
        let delay = self.delay_for(scope, kind, Some(id)).await?;
        let deleting = (!delay.is_zero()).then(|| due_time(now, delay));
        let removal = self
            .store
            .remove_network(scope, kind, id, &[NetworkStatus::Available], deleting, now)
            .await?;
        match removal {
            NetworkRemoval::Removed => Ok(()),
            NetworkRemoval::Deleting(_) => {
                self.wake_if_pending(deleting);
                Ok(())
            }
            NetworkRemoval::HasChildren => Err(DomainError::HasDependents {
                kind,
                id: id.to_owned(),
                dependent: child_kind(kind),
            }),
            NetworkRemoval::NotMatched => Err(self.refusal(scope, kind, id).await),
        }
    }

    /// Sets tags on every one of the resources of `kind`, or on none of them.
    pub async fn tag(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        ids: &[String],
        tags: &[Tag],
    ) -> Result<(), DomainError> {
        let max = max_network_tags(scope.provider());
        let written = self
            .store
            .tag(TagOwner::Network(kind), scope, ids, tags, max)
            .await?;
        network_tag_write(kind, written)
    }

    /// Removes the tags with these keys (every tag when `None`) from every one of the resources.
    pub async fn untag(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        ids: &[String],
        keys: Option<&[String]>,
    ) -> Result<(), DomainError> {
        let written = self
            .store
            .untag(TagOwner::Network(kind), scope, ids, keys)
            .await?;
        network_tag_write(kind, written)
    }

    pub async fn list_tags(
        &self,
        scope: &TenantScope,
        kind: ResourceKind,
        ids: &[String],
        filters: &[TagFilter],
        offset: u64,
        limit: u32,
    ) -> Result<Vec<ResourceTag>, DomainError> {
        Ok(self
            .store
            .list_tags(TagOwner::Network(kind), scope, ids, filters, offset, limit)
            .await?)
    }

    /// Completes every network transition due by `due_by`; returns how many.
    pub async fn complete_due(&self, due_by: DateTime<Utc>) -> Result<Completed, DomainError> {
        let now = Utc::now();
        let mut completed = Completed::default();
        completed.add(self.store.settle_network_due(due_by, now).await?, now);
        Ok(completed)
    }

    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, DomainError> {
        Ok(self.store.next_network_due().await?)
    }

    fn wake_if_pending(&self, due_at: Option<DateTime<Utc>>) {
        if due_at.is_some() {
            self.work_scheduled.notify_one();
        }
    }

    /// Why a conditional write matched nothing: the resource is gone (or another kind), or in
    /// a status the write did not expect.
    async fn refusal(&self, scope: &TenantScope, kind: ResourceKind, id: &str) -> DomainError {
        match self.get(scope, kind, id).await {
            Ok(current) => DomainError::NetworkIncorrectState {
                kind,
                id: id.to_owned(),
                status: current.status,
            },
            Err(err) => err,
        }
    }
}

fn not_found(kind: ResourceKind, id: &str) -> DomainError {
    DomainError::NetworkNotFound {
        kind,
        id: id.to_owned(),
    }
}

/// What lies in a resource of `kind`.
fn child_kind(kind: ResourceKind) -> ResourceKind {
    match kind {
        ResourceKind::Vpc => ResourceKind::Subnet,
        ResourceKind::Subnet | ResourceKind::NetworkInterface => ResourceKind::NetworkInterface,
    }
}

fn network_tag_write(kind: ResourceKind, written: TagWrite) -> Result<(), DomainError> {
    match written {
        TagWrite::Done => Ok(()),
        TagWrite::Missing(id) => Err(DomainError::NetworkNotFound { kind, id }),
        TagWrite::TooMany(id) => Err(DomainError::TooManyTags(id)),
    }
}

/// A subnet's block inside its VPC's, overlapping no sibling; its gateway a host of it.
fn check_subnet(
    spec: &NewNetworkResource,
    vpc: &NetworkResource,
    siblings: &[NetworkResource],
) -> Result<(), DomainError> {
    let (Some(cidr), Some(vpc_cidr)) = (spec.cidr, vpc.spec.cidr) else {
        return Ok(());
    };
    if !vpc_cidr.contains(cidr) {
        return Err(DomainError::CidrOutsideParent {
            cidr,
            parent: vpc_cidr,
        });
    }
    if let Some(other) = siblings.iter().find_map(|sibling| {
        let other = sibling.spec.cidr?;
        other.overlaps(cidr).then(|| (sibling.id.clone(), other))
    }) {
        return Err(DomainError::CidrOverlap {
            cidr,
            other_id: other.0,
            other: other.1,
        });
    }
    if let Some(gateway) = spec.gateway_ip {
        if !is_host(cidr, gateway) {
            return Err(DomainError::GatewayOutsideCidr { gateway, cidr });
        }
    }
    Ok(())
}

/// A usable host address of a block: not its network address nor its last three.
fn is_host(cidr: Ipv4Cidr, address: Ipv4Addr) -> bool {
    let offset = u64::from(u32::from(address).wrapping_sub(u32::from(cidr.network())));
    cidr.contains_address(address) && offset >= 1 && offset + 3 < cidr.size()
}

/// The address a new interface gets: the one asked for when it is a free host of the subnet,
/// else (when none was asked for) the first free host.
fn interface_address(
    asked: Option<Ipv4Addr>,
    subnet: &NetworkResource,
    interfaces: &[NetworkResource],
) -> Result<Ipv4Addr, DomainError> {
    let Some(cidr) = subnet.spec.cidr else {
        return Err(DomainError::NoFreeAddress {
            subnet_id: subnet.id.clone(),
        });
    };
    let taken = |address: Ipv4Addr| {
        Some(address) == subnet.spec.gateway_ip
            || interfaces
                .iter()
                .any(|interface| interface.spec.private_ip == Some(address))
    };
    if let Some(address) = asked {
        if !is_host(cidr, address) || Some(address) == subnet.spec.gateway_ip {
            return Err(DomainError::AddressOutsideSubnet { address, cidr });
        }
        if taken(address) {
            return Err(DomainError::AddressInUse { address });
        }
        return Ok(address);
    }
    (1..cidr.size().saturating_sub(3))
        .filter_map(|offset| cidr.address(offset))
        .find(|address| !taken(*address))
        .ok_or_else(|| DomainError::NoFreeAddress {
            subnet_id: subnet.id.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subnet(cidr: &str, gateway: Option<&str>) -> NetworkResource {
        NetworkResource {
            id: "s1".into(),
            scope: TenantScope::huawei_project("p"),
            kind: ResourceKind::Subnet,
            parent_id: Some("v1".into()),
            vpc_id: "v1".into(),
            spec: NewNetworkResource {
                cidr: Some(cidr.parse().unwrap()),
                gateway_ip: gateway.map(|g| g.parse().unwrap()),
                ..Default::default()
            },
            mac_address: None,
            status: NetworkStatus::Available,
            due_at: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            revision: 0,
        }
    }

    fn interface_at(address: &str) -> NetworkResource {
        let mut interface = subnet("10.0.0.0/24", None);
        interface.kind = ResourceKind::NetworkInterface;
        interface.spec.cidr = None;
        interface.spec.private_ip = Some(address.parse().unwrap());
        interface
    }

    #[test]
    fn interfaces_get_the_first_free_host_or_the_one_asked_for() {
        let s = subnet("10.0.0.0/24", Some("10.0.0.1"));
        let ip = |text: &str| text.parse::<Ipv4Addr>().unwrap();
        assert_eq!(interface_address(None, &s, &[]).unwrap(), ip("10.0.0.2"));
        let taken = [interface_at("10.0.0.2")];
        assert_eq!(interface_address(None, &s, &taken).unwrap(), ip("10.0.0.3"));
        assert_eq!(
            interface_address(Some(ip("10.0.0.9")), &s, &taken).unwrap(),
            ip("10.0.0.9")
        );
        for bad in ["10.0.0.0", "10.0.0.1", "10.0.0.253", "10.0.1.5"] {
            assert!(
                matches!(
                    interface_address(Some(ip(bad)), &s, &taken),
                    Err(DomainError::AddressOutsideSubnet { .. })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            interface_address(Some(ip("10.0.0.2")), &s, &taken),
            Err(DomainError::AddressInUse { .. })
        ));
        let tiny = subnet("10.0.0.0/30", None);
        assert!(matches!(
            interface_address(None, &tiny, &[]),
            Err(DomainError::NoFreeAddress { .. })
        ));
    }

    #[test]
    fn interfaces_are_created_settled_and_the_rest_wait_for_the_delay() {
        let delays = NetworkDelays {
            huawei: Duration::ZERO,
            alibaba: Duration::from_secs(1),
        };
        let alibaba = Provider::Alibaba;
        assert_eq!(
            delays.on_create(alibaba, ResourceKind::NetworkInterface),
            Duration::ZERO
        );
        assert_eq!(delays.on_create(alibaba, ResourceKind::Vpc), delays.alibaba);
        assert_eq!(
            delays.on_create(alibaba, ResourceKind::Subnet),
            delays.alibaba
        );
        assert_eq!(
            delays.on_create(Provider::Huawei, ResourceKind::Vpc),
            Duration::ZERO
        );
    }

    #[test]
    fn subnets_lie_inside_their_vpc_and_apart() {
        let mut vpc = subnet("10.0.0.0/16", None);
        vpc.kind = ResourceKind::Vpc;
        let spec = |cidr: &str, gateway: Option<&str>| NewNetworkResource {
            cidr: Some(cidr.parse().unwrap()),
            gateway_ip: gateway.map(|g| g.parse().unwrap()),
            ..Default::default()
        };
        let siblings = [subnet("10.0.1.0/24", None)];
        assert!(check_subnet(&spec("10.0.2.0/24", Some("10.0.2.1")), &vpc, &siblings).is_ok());
        assert!(matches!(
            check_subnet(&spec("10.1.0.0/24", None), &vpc, &siblings),
            Err(DomainError::CidrOutsideParent { .. })
        ));
        assert!(matches!(
            check_subnet(&spec("10.0.1.128/25", None), &vpc, &siblings),
            Err(DomainError::CidrOverlap { .. })
        ));
        assert!(matches!(
            check_subnet(&spec("10.0.2.0/24", Some("10.0.3.1")), &vpc, &siblings),
            Err(DomainError::GatewayOutsideCidr { .. })
        ));
    }
}
