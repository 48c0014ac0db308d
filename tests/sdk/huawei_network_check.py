#!/usr/bin/env python3
"""End-to-end checks of Flowplane's Huawei network APIs with the official Python SDK.

huaweicloudsdkvpc's v2 module drives the v1 and /v2.0 APIs (VPCs, subnets, ports, VPC and
subnet tags, flow logs), its v3 module the v3 VPC show and the port tags, as Terraform's
huaweicloud provider calls them: VPC -> subnet -> port -> a flow log on each kind -> updates ->
delete in reverse order, with the provider's waits (poll until the VPC says OK and the subnet
ACTIVE) and its delete loops (a VPC with subnets is 409 VPC.0104, a subnet with ports 500
VPC.0209, until they are empty).

The server at FLOWPLANE_ENDPOINT runs with `--auth verify` and the keys this script prints with
`--print-credentials`. For the strict-reference checks it starts a second server of its own
with `--references strict` (FLOWPLANE_BIN, FLOWPLANE_CREDENTIALS: the binary and credentials
file run.sh uses; a SQLite database in a temporary directory), so the main server and the other
checks stay as they are.

Prints `PASS name` / `FAIL name: reason` per check, then `N passed, M failed`; exits 0 only when
nothing failed. Reference: openapi/reference/huawei-vpc-network.md.
"""

import os
import re
import sys
import tempfile
import time
import traceback
import uuid

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ServiceResponseException
from huaweicloudsdklts.v2 import (
    CreateLogGroupParams, CreateLogGroupRequest, CreateLogStreamParams, CreateLogStreamRequest,
    LtsClient,
)
from huaweicloudsdkvpc import v3
from huaweicloudsdkvpc.v2 import (
    BatchCreateSubnetTagsRequest, BatchCreateSubnetTagsRequestBody, BatchCreateVpcTagsRequest,
    BatchCreateVpcTagsRequestBody, BatchDeleteVpcTagsRequest, BatchDeleteVpcTagsRequestBody,
    CreateFlowLogReq, CreateFlowLogReqBody, CreateFlowLogRequest, CreatePortOption,
    CreatePortRequest, CreatePortRequestBody, CreateSubnetOption, CreateSubnetRequest,
    CreateSubnetRequestBody, CreateVpcOption, CreateVpcRequest, CreateVpcRequestBody,
    DeleteFlowLogRequest, DeletePortRequest, DeleteSubnetRequest, DeleteVpcRequest, FixedIp,
    ListPortsRequest, ListSubnetsRequest, ListVpcsRequest, ResourceTag, ShowPortRequest,
    ShowSubnetRequest, ShowSubnetTagsRequest, ShowVpcRequest, ShowVpcTagsRequest,
    UpdatePortOption, UpdatePortRequest, UpdatePortRequestBody, UpdateSubnetOption,
    UpdateSubnetRequest, UpdateSubnetRequestBody, UpdateVpcOption, UpdateVpcRequest,
    UpdateVpcRequestBody, VpcClient,
)

from server import Server, sqlite_in

AK = "HWNETCHECKACCESSKEY1"
SK = "hw-network-check-secret-key-000000000000"
PID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"

CREDENTIALS = f"""[[huawei]]
access_key = "{AK}"
secret_key = "{SK}"
"""

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


# The LTS destination flow logs deliver to, made with the LTS SDK once per server (as a user
# makes them before a flow log; a strict server refuses a flow log without them).
DESTINATION = {}  # id(v2 client) -> (log group id, log stream id)


def clients(endpoint):
    creds = BasicCredentials(AK, SK, PID)
    v2_client = VpcClient.new_builder().with_credentials(creds).with_endpoints([endpoint]).build()
    v3_client = v3.VpcClient.new_builder().with_credentials(creds).with_endpoints([endpoint]).build()
    lts = LtsClient.new_builder().with_credentials(creds).with_endpoints([endpoint]).build()
    group = lts.create_log_group(CreateLogGroupRequest(body=CreateLogGroupParams(
        log_group_name="network-check-" + uuid.uuid4().hex[:6], ttl_in_days=7))).log_group_id
    stream = lts.create_log_stream(CreateLogStreamRequest(
        log_group_id=group, body=CreateLogStreamParams(log_stream_name="flows"))).log_stream_id
    DESTINATION[id(v2_client)] = (group, stream)
    return v2_client, v3_client


def expect_error(call, status, code):
    try:
        call()
    except ServiceResponseException as err:
        assert err.status_code == status, f"HTTP {err.status_code} {err.error_code}, want {status} {code}"
        assert err.error_code == code, f"error code {err.error_code!r} ({err.error_msg!r}), want {code}"
        assert err.request_id, "the error has no request id"
        return err
    raise AssertionError(f"expected HTTP {status} {code}, the call succeeded")


def wait_for(read, field, target, timeout=10.0):
    """Polls as the provider does until `field` reads `target`; returns the last object."""
    deadline = time.monotonic() + timeout
    while True:
        current = read()
        if getattr(current, field) == target:
            return current
        assert time.monotonic() < deadline, f"{field} stayed {getattr(current, field)!r}, want {target!r}"
        time.sleep(0.2)


def create_vpc(c2, cidr, **fields):
    option = CreateVpcOption(name="vpc-" + uuid.uuid4().hex[:6], cidr=cidr, **fields)
    resp = c2.create_vpc(CreateVpcRequest(body=CreateVpcRequestBody(vpc=option)))
    assert resp.status_code == 200, f"create VPC answered {resp.status_code}, Terraform accepts only 200"
    assert resp.vpc.status in ("CREATING", "OK"), resp.vpc.status
    return wait_for(lambda: c2.show_vpc(ShowVpcRequest(vpc_id=resp.vpc.id)).vpc, "status", "OK")


def create_subnet(c2, vpc_id, cidr, gateway, **fields):
    option = CreateSubnetOption(name="subnet-" + uuid.uuid4().hex[:6], cidr=cidr, gateway_ip=gateway,
                                vpc_id=vpc_id, ipv6_enable=False, dhcp_enable=True, **fields)
    resp = c2.create_subnet(CreateSubnetRequest(body=CreateSubnetRequestBody(subnet=option)))
    assert resp.status_code == 200, f"create subnet answered {resp.status_code}"
    assert resp.subnet.status in ("UNKNOWN", "ACTIVE"), resp.subnet.status
    return wait_for(lambda: c2.show_subnet(ShowSubnetRequest(subnet_id=resp.subnet.id)).subnet,
                    "status", "ACTIVE")


def create_port(c2, subnet_id, **fields):
    option = CreatePortOption(name="nic-" + uuid.uuid4().hex[:6], network_id=subnet_id, **fields)
    resp = c2.create_port(CreatePortRequest(body=CreatePortRequestBody(port=option)))
    assert resp.status_code == 200, f"create port answered {resp.status_code}"
    return resp.port


def create_flow_log(c2, resource_type, resource_id):
    req = CreateFlowLogReq(name="fl-" + resource_type, resource_type=resource_type, resource_id=resource_id,
                           traffic_type="all", log_group_id=DESTINATION[id(c2)][0],
                           log_topic_id=DESTINATION[id(c2)][1])
    return c2.create_flow_log(CreateFlowLogRequest(body=CreateFlowLogReqBody(flow_log=req))).flow_log


def delete_vpc_as_terraform(c2, vpc_id):
    """Terraform's loop: DELETE until it is not 409, then GET until 404."""
    c2.delete_vpc(DeleteVpcRequest(vpc_id=vpc_id))
    expect_error(lambda: c2.show_vpc(ShowVpcRequest(vpc_id=vpc_id)), 404, "VPC.0003")


# ---------------------------------------------------------------------------------------------
# Checks against the main server
# ---------------------------------------------------------------------------------------------

def terraform_life_cycle(c2, c3):
    vpc = create_vpc(c2, "172.16.0.0/16", description="created by the SDK check")
    assert UUID_RE.match(vpc.id), vpc.id
    raw = c2.show_vpc(ShowVpcRequest(vpc_id=vpc.id)).to_json_object()["vpc"]
    assert raw["tenant_id"] == PID and raw["routes"] == [] and TS_RE.match(raw["created_at"]), raw
    # After create, Terraform tags the VPC (/v2.0) and reads v1, the tags and the v3 show.
    tags = [ResourceTag(key="owner", value="ops")]
    resp = c2.batch_create_vpc_tags(BatchCreateVpcTagsRequest(
        vpc_id=vpc.id, body=BatchCreateVpcTagsRequestBody(action="create", tags=tags)))
    assert resp.status_code == 204, resp.status_code
    shown_tags = c2.show_vpc_tags(ShowVpcTagsRequest(vpc_id=vpc.id)).tags
    assert [(t.key, t.value) for t in shown_tags] == [("owner", "ops")], shown_tags
    v3_vpc = c3.show_vpc(v3.ShowVpcRequest(vpc_id=vpc.id)).vpc
    assert v3_vpc.status == "ACTIVE" and v3_vpc.extend_cidrs == [], v3_vpc
    assert [(t.key, t.value) for t in v3_vpc.tags] == [("owner", "ops")], v3_vpc.tags

    subnet = create_subnet(c2, vpc.id, "172.16.0.0/24", "172.16.0.1",
                           dns_list=["100.125.1.250", "100.125.129.250"], availability_zone="cn-north-4a")
    assert subnet.neutron_network_id == subnet.id and subnet.neutron_subnet_id != subnet.id, subnet
    assert subnet.dns_list == ["100.125.1.250", "100.125.129.250"], subnet.dns_list
    assert subnet.primary_dns == "100.125.1.250" and subnet.available_ip_address_count == 251
    resp = c2.batch_create_subnet_tags(BatchCreateSubnetTagsRequest(
        subnet_id=subnet.id, body=BatchCreateSubnetTagsRequestBody(action="create", tags=tags)))
    assert resp.status_code == 204
    assert len(c2.show_subnet_tags(ShowSubnetTagsRequest(subnet_id=subnet.id)).tags) == 1

    port = create_port(c2, subnet.id, fixed_ips=[FixedIp(ip_address="172.16.0.10")])
    assert port.status == "DOWN" and port.network_id == subnet.id, port
    assert port.fixed_ips[0].ip_address == "172.16.0.10"
    assert port.fixed_ips[0].subnet_id == subnet.neutron_subnet_id, port.fixed_ips
    resp = c3.batch_create_port_tags(v3.BatchCreatePortTagsRequest(
        port_id=port.id, body=v3.BatchCreatePortTagsRequestBody(tags=[v3.ResourceTag(key="k", value="v")])))
    assert resp.status_code == 204
    assert [(t.key, t.value) for t in c3.show_port_tags(v3.ShowPortTagsRequest(port_id=port.id)).tags] == [("k", "v")]

    flow_logs = [create_flow_log(c2, kind, rid)
                 for kind, rid in (("port", port.id), ("network", subnet.id), ("vpc", vpc.id))]
    assert all(f.status == "ACTIVE" for f in flow_logs), flow_logs

    # Lists with the SDK's filters and paging.
    found = c2.list_ports(ListPortsRequest(network_id=subnet.id, fixed_ips=["ip_address=172.16.0.10"])).ports
    assert [p.id for p in found] == [port.id], found
    found = c2.list_subnets(ListSubnetsRequest(vpc_id=vpc.id, limit=1)).subnets
    assert [s.id for s in found] == [subnet.id], found
    assert c2.list_subnets(ListSubnetsRequest(vpc_id=vpc.id, marker=subnet.id)).subnets == []
    assert [v.id for v in c2.list_vpcs(ListVpcsRequest(id=vpc.id)).vpcs] == [vpc.id]

    # Updates.
    updated = c2.update_vpc(UpdateVpcRequest(vpc_id=vpc.id, body=UpdateVpcRequestBody(
        vpc=UpdateVpcOption(name="vpc-renamed", cidr="172.16.0.0/16")))).vpc
    assert updated.name == "vpc-renamed" and updated.status == "OK", updated
    result = c2.update_subnet(UpdateSubnetRequest(vpc_id=vpc.id, subnet_id=subnet.id, body=UpdateSubnetRequestBody(
        subnet=UpdateSubnetOption(name="subnet-renamed", dhcp_enable=True)))).subnet
    assert result.id == subnet.id and result.status == "ACTIVE", result
    assert c2.show_subnet(ShowSubnetRequest(subnet_id=subnet.id)).subnet.name == "subnet-renamed"
    port = c2.update_port(UpdatePortRequest(port_id=port.id, body=UpdatePortRequestBody(
        port=UpdatePortOption(name="nic-renamed")))).port
    assert port.name == "nic-renamed", port
    c2.batch_delete_vpc_tags(BatchDeleteVpcTagsRequest(
        vpc_id=vpc.id, body=BatchDeleteVpcTagsRequestBody(action="delete", tags=tags)))
    assert c2.show_vpc_tags(ShowVpcTagsRequest(vpc_id=vpc.id)).tags == []

    # Delete in reverse order; the guards first, as Terraform's loops meet them.
    for flow_log in flow_logs:
        assert c2.delete_flow_log(DeleteFlowLogRequest(flowlog_id=flow_log.id)).status_code == 204
    expect_error(lambda: c2.delete_subnet(DeleteSubnetRequest(vpc_id=vpc.id, subnet_id=subnet.id)), 500, "VPC.0209")
    expect_error(lambda: c2.delete_vpc(DeleteVpcRequest(vpc_id=vpc.id)), 409, "VPC.0104")
    c3.delete_port_tag(v3.DeletePortTagRequest(port_id=port.id, tag_key="k"))
    assert c2.delete_port(DeletePortRequest(port_id=port.id)).status_code == 204
    expect_error(lambda: c2.show_port(ShowPortRequest(port_id=port.id)), 404, "VPC.2504")
    assert c2.delete_subnet(DeleteSubnetRequest(vpc_id=vpc.id, subnet_id=subnet.id)).status_code == 204
    expect_error(lambda: c2.show_subnet(ShowSubnetRequest(subnet_id=subnet.id)), 404, "VPC.0202")
    delete_vpc_as_terraform(c2, vpc.id)
    err = expect_error(lambda: c3.show_vpc(v3.ShowVpcRequest(vpc_id=vpc.id)), 404, "VPC.9904")
    assert err.error_msg == f"Vpc {vpc.id} could not be found.", err.error_msg


def cidr_rules(c2, _c3):
    expect_error(lambda: create_vpc(c2, "168.10.0.0/16"), 400, "VPC.0101")
    vpc = create_vpc(c2, "192.168.0.0/16")
    try:
        subnet = create_subnet(c2, vpc.id, "192.168.1.0/24", "192.168.1.1")
        expect_error(lambda: create_subnet(c2, vpc.id, "10.0.0.0/24", "10.0.0.1"), 400, "VPC.0203")
        expect_error(lambda: create_subnet(c2, vpc.id, "192.168.1.128/25", "192.168.1.129"), 400, "VPC.0204")
        expect_error(lambda: create_subnet(c2, vpc.id, "192.168.2.0/29", "192.168.2.1"), 400, "VPC.0212")
        expect_error(lambda: create_subnet(c2, vpc.id, "192.168.2.0/24", "192.168.3.1"), 400, "VPC.0201")
        expect_error(lambda: create_subnet(c2, str(uuid.uuid4()), "192.168.2.0/24", "192.168.2.1"), 404, "VPC.0003")
        expect_error(lambda: create_port(c2, subnet.id, fixed_ips=[FixedIp(ip_address="192.168.9.9")]),
                     400, "VPC.2500")
        c2.delete_subnet(DeleteSubnetRequest(vpc_id=vpc.id, subnet_id=subnet.id))
    finally:
        delete_vpc_as_terraform(c2, vpc.id)


# ---------------------------------------------------------------------------------------------
# Strict references, against a second server of this script's own
# ---------------------------------------------------------------------------------------------

def strict_flow_logs(c2, _c3):
    vpc = create_vpc(c2, "10.0.0.0/16")
    subnet = create_subnet(c2, vpc.id, "10.0.1.0/24", "10.0.1.1")
    port = create_port(c2, subnet.id)
    kinds = (("port", port.id, "Port"), ("network", subnet.id, "Network"), ("vpc", vpc.id, "Vpc"))
    created = [create_flow_log(c2, kind, rid) for kind, rid, _ in kinds]
    assert [f.resource_id for f in created] == [port.id, subnet.id, vpc.id]
    missing = str(uuid.uuid4())
    for kind, rid, word in kinds:
        err = expect_error(lambda: create_flow_log(c2, kind, missing), 404, "VPC.3002")
        assert err.error_msg == f"{word} {missing} could not be found.", err.error_msg
        other = next(r for _, r, _ in kinds if r != rid)
        err = expect_error(lambda: create_flow_log(c2, kind, other), 404, "VPC.3002")
        assert err.error_msg == f"{word} {other} could not be found.", err.error_msg
    for flow_log in created:
        c2.delete_flow_log(DeleteFlowLogRequest(flowlog_id=flow_log.id))
    c2.delete_port(DeletePortRequest(port_id=port.id))
    c2.delete_subnet(DeleteSubnetRequest(vpc_id=vpc.id, subnet_id=subnet.id))
    delete_vpc_as_terraform(c2, vpc.id)


def strict_server(directory):
    """A second server with `--references strict`, on a database of its own."""
    return Server(os.environ["FLOWPLANE_BIN"], sqlite_in(directory, "strict.db"),
                  os.environ["FLOWPLANE_CREDENTIALS"], "--references", "strict")


# ---------------------------------------------------------------------------------------------
# Runner
# ---------------------------------------------------------------------------------------------

def failure_reason(exc):
    if isinstance(exc, ServiceResponseException):
        return f"unexpected HTTP {exc.status_code} {exc.error_code}: {exc.error_msg!r}"
    text = str(exc)
    if isinstance(exc, AssertionError) and not text:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        text = f"assertion failed at line {frame.lineno}: {frame.line}"
    return text or type(exc).__name__


def run(checks, endpoint):
    c2, c3 = clients(endpoint)
    passed = failed = 0
    for fn in checks:
        try:
            fn(c2, c3)
            passed += 1
            print(f"PASS {fn.__name__}", flush=True)
        except Exception as exc:  # one broken check must not stop the others
            failed += 1
            print(f"FAIL {fn.__name__}: {failure_reason(exc)}", flush=True)
    return passed, failed


def main():
    if sys.argv[1:] == ["--print-credentials"]:
        print(CREDENTIALS)
        return 0
    for name in ("FLOWPLANE_ENDPOINT", "FLOWPLANE_BIN", "FLOWPLANE_CREDENTIALS"):
        if not os.environ.get(name):
            print(f"{name} is not set", file=sys.stderr)
            return 2
    passed, failed = run([terraform_life_cycle, cidr_rules], os.environ["FLOWPLANE_ENDPOINT"])
    directory = tempfile.TemporaryDirectory()
    try:
        server = strict_server(directory.name)
    except Exception as exc:
        print(f"FAIL strict server: {exc}", flush=True)
        failed += 1
    else:
        strict_passed, strict_failed = run([strict_flow_logs], server.endpoint)
        passed, failed = passed + strict_passed, failed + strict_failed
        try:
            server.stop()
        except Exception as exc:
            print(f"FAIL strict server stop: {exc}", flush=True)
            failed += 1
    directory.cleanup()
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
