#!/usr/bin/env python3
"""End-to-end checks of Flowplane's identity APIs with the official, unmodified Python SDKs.

Huawei Cloud (huaweicloudsdkcore / huaweicloudsdkvpc / huaweicloudsdkiam):
- a VpcClient built with ONLY a region and an AK/SK resolves its project id from Flowplane's IAM
  (`GET /v3/projects?name=<region>`), pointed there by HUAWEICLOUD_SDK_IAM_ENDPOINT, the service by
  HUAWEICLOUD_SDK_REGION_VPC_<REGION> or `with_region(Region(...))`, and then creates, lists and
  deletes a flow log in that project;
- an IamClient with GlobalCredentials resolves its domain id (`GET /v3/auth/domains`);
- a token by password (KeystoneCreateUserTokenByPassword), used as X-Auth-Token (raw HTTP: the VPC
  SDK has no token mode), then temporary credentials by token (CreateTemporaryAccessKeyByToken)
  used by VpcClient through `with_security_token`, and their expiry.

Alibaba Cloud (alibabacloud-sts20150401, alibabacloud-resourcemanager20200331,
alibabacloud-vpc20160428, aliyun-python-sdk-core):
- GetCallerIdentity for an account key and an assumed-role key, V3 and V1 signing;
- AssumeRole, then VPC flow-log calls with the temporary credentials in V3, V1 and the legacy SDK;
- a missing, garbled, foreign or expired security token gets the cloud's code;
- ListResourceGroups / GetResourceGroup.

Expiry without sleeping: the check starts a second server on the same database with
`--max-credential-lifetime 0s` (what it issues is expired at once) and presents what that one issued
to the main server.

Environment: FLOWPLANE_ENDPOINT (the main server), FLOWPLANE_SERVER_BIN, FLOWPLANE_SERVER_DATABASE_URL
and FLOWPLANE_SERVER_CREDENTIALS (to start the second one). `--print-credentials` prints the
entries the server's credentials file needs. Prints `PASS name` / `FAIL name: reason` per check, then
`N passed, M failed`; exits 0 only when nothing failed.
"""

import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import SdkException, ServiceResponseException
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkiam.v3 import IamClient
from huaweicloudsdkiam.v3 import model as iam_models
from huaweicloudsdkiam.v3.iam_credentials import IamCredentials
from huaweicloudsdkvpc.v2 import (
    CreateFlowLogReq,
    CreateFlowLogReqBody,
    CreateFlowLogRequest,
    DeleteFlowLogRequest,
    ListFlowLogsRequest,
    VpcClient,
)
from huaweicloudsdkvpc.v2.region.vpc_region import VpcRegion

from alibabacloud_resourcemanager20200331 import models as rm_models
from alibabacloud_resourcemanager20200331.client import Client as RmClient
from alibabacloud_sts20150401 import models as sts_models
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.exceptions import ClientException as TeaClientException
from alibabacloud_tea_openapi.exceptions import ServerException as TeaServerException
from alibabacloud_tea_openapi.models import Config
from alibabacloud_vpc20160428 import models as vpc_models
from alibabacloud_vpc20160428.client import Client as AliVpcClient
from aliyunsdkcore.acs_exception.exceptions import ServerException as LegacyServerException
from aliyunsdkcore.auth.credentials import StsTokenCredential
from aliyunsdkcore.client import AcsClient
from aliyunsdkvpc.request.v20160428.DescribeFlowLogsRequest import DescribeFlowLogsRequest

from huawei_check import failure_reason  # the same wording of a failed check
from server import Server

# --- Huawei: one domain with a project in two regions, and its user with a password -----------
HW_AK = "HWIDCHECKACCESSKEY01"
HW_SK = "hw-identity-check-secret-0000000000000000"
HW_DOMAIN = "flowplane-identity-check"
HW_USER = "identity-checker"
HW_PASSWORD = "hw-identity-check-password"
HW_REGION, HW_PID = "cn-north-4", "1dc0000000000000000000000000c001"
HW_REGION2, HW_PID2 = "ap-southeast-1", "1dc0000000000000000000000000c002"
HW_NO_PROJECT_REGION = "cn-east-3"  # the domain has no project there

# --- Alibaba: an account and another one -----------------------------------------------------
ALI_KEY, ALI_SECRET, ALI_ACCOUNT = "LTAIidentitycheck001", "ali-identity-check-secret-0001", "3000000000000001"
ALI_OTHER_KEY, ALI_OTHER_ACCOUNT = "LTAIidentitycheck002", "3000000000000002"
ALI_REGION = "cn-hangzhou"
ROLE_ARN = f"acs:ram::{ALI_ACCOUNT}:role/flowplane-check"

CREDENTIALS = f"""[[huawei]]
access_key = "{HW_AK}"
secret_key = "{HW_SK}"
user = "{HW_USER}"
password = "{HW_PASSWORD}"
domain = "{HW_DOMAIN}"
projects = {{ {HW_REGION} = "{HW_PID}", {HW_REGION2} = "{HW_PID2}" }}

[[alibaba]]
access_key_id = "{ALI_KEY}"
access_key_secret = "{ALI_SECRET}"
account_id = "{ALI_ACCOUNT}"

[[alibaba]]
access_key_id = "{ALI_OTHER_KEY}"
access_key_secret = "{ALI_SECRET}"
account_id = "{ALI_OTHER_ACCOUNT}"
"""

ENDPOINT = os.environ.get("FLOWPLANE_ENDPOINT", "")
EXPIRING = {"endpoint": None}  # the second server's, once started


def env_name(region):
    return region.upper().replace("-", "_")


# ---------------------------------------------------------------------------------------------
# The second server: same database, lifetimes capped at 0s
# ---------------------------------------------------------------------------------------------

class ExpiringServer:
    """The second server, started by `start` and stopped by `stop` (a no-op when not started)."""

    def __init__(self):
        self.server = None

    def start(self):
        self.server = Server(os.environ["FLOWPLANE_SERVER_BIN"], os.environ["FLOWPLANE_SERVER_DATABASE_URL"],
                             os.environ["FLOWPLANE_SERVER_CREDENTIALS"], "--max-credential-lifetime", "0s")
        EXPIRING["endpoint"] = self.server.endpoint

    def output(self):
        return self.server.output() if self.server else ""

    def stop(self):
        if self.server is not None:
            self.server.stop()


# ---------------------------------------------------------------------------------------------
# Huawei helpers
# ---------------------------------------------------------------------------------------------

def vpc_client_by_region(credentials, region):
    """What a user does: a region and credentials, no project id, no endpoint list."""
    return VpcClient.new_builder().with_credentials(credentials).with_region(region).build()


def vpc_client_by_endpoint(credentials, endpoint=None):
    return (VpcClient.new_builder().with_credentials(credentials)
            .with_endpoints([endpoint or ENDPOINT]).build())


def create_and_list(client):
    resource = str(uuid.uuid4())
    body = CreateFlowLogReqBody(flow_log=CreateFlowLogReq(
        name="fl-identity", resource_type="port", resource_id=resource, traffic_type="all",
        log_group_id=str(uuid.uuid4()), log_topic_id=str(uuid.uuid4())))
    created = client.create_flow_log(CreateFlowLogRequest(body=body)).flow_log
    listed = client.list_flow_logs(ListFlowLogsRequest(resource_id=resource)).flow_logs
    assert [f.id for f in listed] == [created.id], f"listed {listed}"
    client.delete_flow_log(DeleteFlowLogRequest(flowlog_id=created.id))
    return created


def hw_expect(call, status, code):
    try:
        call()
    except ServiceResponseException as e:
        assert (e.status_code, e.error_code) == (status, code), \
            f"want {status} {code}, got {e.status_code} {e.error_code}: {e.error_msg!r}"
        assert e.request_id, f"{status} {code} has no X-Request-Id"
        return e
    raise AssertionError(f"want {status} {code}, but the call succeeded")


def iam_client(credentials, endpoint=None):
    return (IamClient.new_builder().with_credentials(credentials)
            .with_region(Region(HW_REGION, endpoint or ENDPOINT)).build())


def password_token(endpoint=None, region=HW_REGION):
    body = iam_models.KeystoneCreateUserTokenByPasswordRequestBody(auth=iam_models.PwdAuth(
        identity=iam_models.PwdIdentity(methods=["password"], password=iam_models.PwdPassword(
            user=iam_models.PwdPasswordUser(
                domain=iam_models.PwdPasswordUserDomain(name=HW_DOMAIN),
                name=HW_USER, password=HW_PASSWORD))),
        scope=iam_models.AuthScope(project=iam_models.AuthScopeProject(name=region))))
    client = iam_client(IamCredentials(), endpoint)
    resp = client.keystone_create_user_token_by_password(
        iam_models.KeystoneCreateUserTokenByPasswordRequest(body=body))
    assert resp.status_code == 201, f"HTTP {resp.status_code}"
    assert resp.x_subject_token, "no X-Subject-Token"
    assert resp.token.project.id == (HW_PID if region == HW_REGION else HW_PID2), resp.token.project
    return resp.x_subject_token


def temporary_key(token, endpoint=None, duration=900):
    client = iam_client(IamCredentials(token), endpoint)
    body = iam_models.CreateTemporaryAccessKeyByTokenRequestBody(auth=iam_models.TokenAuth(
        identity=iam_models.TokenAuthIdentity(methods=["token"], token=iam_models.IdentityToken(
            duration_seconds=duration))))
    resp = client.create_temporary_access_key_by_token(
        iam_models.CreateTemporaryAccessKeyByTokenRequest(body=body))
    assert resp.status_code == 201, f"HTTP {resp.status_code}"
    credential = resp.credential
    # The core itself parses this format, and nothing else.
    datetime.datetime.strptime(credential.expires_at, "%Y-%m-%dT%H:%M:%S.%fZ")
    return credential


def raw_http(method, path, headers=None, body=None, endpoint=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request((endpoint or ENDPOINT) + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null"), resp.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null"), e.headers


# ---------------------------------------------------------------------------------------------
# Alibaba helpers
# ---------------------------------------------------------------------------------------------

def ali_config(key, secret, token=None, v1=False, endpoint=None, region=ALI_REGION):
    host = urllib.parse.urlsplit(endpoint or ENDPOINT).netloc
    config = Config(access_key_id=key, access_key_secret=secret, security_token=token,
                    endpoint=host, protocol="http", region_id=region)
    if v1:
        config.signature_algorithm = "v2"
    return config


def ali_expect(call, status, code):
    try:
        call()
    except (TeaClientException, TeaServerException) as e:
        assert (e.status_code, e.code) == (status, code), \
            f"want {status} {code}, got {e.status_code} {e.code}: {e.message!r}"
        assert e.request_id, f"{code} has no RequestId"
        return e
    raise AssertionError(f"want {status} {code}, but the call succeeded")


def assume_role(endpoint=None, duration=900, session="identity-check"):
    client = StsClient(ali_config(ALI_KEY, ALI_SECRET, endpoint=endpoint))
    resp = client.assume_role(sts_models.AssumeRoleRequest(
        role_arn=ROLE_ARN, role_session_name=session, duration_seconds=duration))
    creds = resp.body.credentials
    assert creds.access_key_id.startswith("STS."), creds.access_key_id
    datetime.datetime.strptime(creds.expiration, "%Y-%m-%dT%H:%M:%SZ")
    return creds


def ali_flow_log_round_trip(vpc):
    resource = "vpc-" + uuid.uuid4().hex[:20]
    created = vpc.create_flow_log(vpc_models.CreateFlowLogRequest(
        region_id=ALI_REGION, resource_type="VPC", resource_id=resource, traffic_type="All",
        project_name="flowplane-check", log_store_name="flowplane-check")).body
    described = vpc.describe_flow_logs(vpc_models.DescribeFlowLogsRequest(
        region_id=ALI_REGION, flow_log_id=created.flow_log_id)).body
    assert described.total_count == "1", described
    entry = described.flow_logs.flow_log[0]
    assert entry.resource_id == resource, entry
    # Leave it to the worker: delete as soon as it is Active.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        status = vpc.describe_flow_logs(vpc_models.DescribeFlowLogsRequest(
            region_id=ALI_REGION, flow_log_id=created.flow_log_id)).body.flow_logs.flow_log[0].status
        if status == "Active":
            vpc.delete_flow_log(vpc_models.DeleteFlowLogRequest(
                region_id=ALI_REGION, flow_log_id=created.flow_log_id))
            return created.flow_log_id
        time.sleep(0.1)
    raise AssertionError(f"{created.flow_log_id} did not become Active")


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

CHECKS = []


def check(fn):
    CHECKS.append((fn.__name__, fn))
    return fn


@check
def huawei_region_only_client_resolves_its_project():
    os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = ENDPOINT
    os.environ[f"HUAWEICLOUD_SDK_REGION_VPC_{env_name(HW_REGION)}"] = ENDPOINT
    credentials = BasicCredentials(HW_AK, HW_SK)
    client = vpc_client_by_region(credentials, VpcRegion.value_of(HW_REGION))
    assert credentials.project_id == HW_PID, f"resolved {credentials.project_id!r}, want {HW_PID}"
    created = create_and_list(client)
    assert created.tenant_id == HW_PID, created.tenant_id
    # Another region, through with_region(Region(...)): that region's project.
    other = BasicCredentials(HW_AK, HW_SK)
    client = vpc_client_by_region(other, Region(HW_REGION2, ENDPOINT))
    assert other.project_id == HW_PID2, other.project_id
    assert create_and_list(client).tenant_id == HW_PID2


@check
def huawei_region_without_a_project_fails_as_the_sdk_says():
    os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = ENDPOINT
    try:
        vpc_client_by_region(BasicCredentials(HW_AK, HW_SK), Region(HW_NO_PROJECT_REGION, ENDPOINT))
    except SdkException as e:
        assert "Failed to get project id" in str(e), str(e)
        return
    raise AssertionError("a region without a project resolved one")


@check
def huawei_iam_projects_and_domains():
    credentials = GlobalCredentials(HW_AK, HW_SK)
    client = iam_client(credentials)
    domains = client.keystone_list_auth_domains(iam_models.KeystoneListAuthDomainsRequest()).domains
    assert [d.name for d in domains] == [HW_DOMAIN], domains
    assert credentials.domain_id == domains[0].id, (credentials.domain_id, domains[0].id)
    projects = client.keystone_list_projects(
        iam_models.KeystoneListProjectsRequest(name=HW_REGION2)).projects
    assert [(p.id, p.name) for p in projects] == [(HW_PID2, HW_REGION2)], projects
    assert projects[0].domain_id == credentials.domain_id


@check
def huawei_token_by_password_on_every_api():
    token = password_token()
    status, body, _ = raw_http("GET", f"/v1/{HW_PID}/fl/flow_logs", {"X-Auth-Token": token})
    assert status == 200 and isinstance(body.get("flow_logs"), list), (status, body)
    status, body, _ = raw_http("GET", f"/v1/{HW_PID2}/fl/flow_logs", {"X-Auth-Token": token})
    assert (status, body.get("code")) == (400, "VPC.0007"), (status, body)
    status, body, _ = raw_http("GET", "/v3/auth/domains", {"X-Auth-Token": "not-a-token"})
    assert (status, body.get("error_code")) == (401, "APIGW.0301"), (status, body)
    # The IAM SDK with the token.
    projects = iam_client(IamCredentials(token)).keystone_list_projects(
        iam_models.KeystoneListProjectsRequest(name=HW_REGION)).projects
    assert [p.id for p in projects] == [HW_PID], projects


@check
def huawei_wrong_password_is_keystones_401():
    body = iam_models.KeystoneCreateUserTokenByPasswordRequestBody(auth=iam_models.PwdAuth(
        identity=iam_models.PwdIdentity(methods=["password"], password=iam_models.PwdPassword(
            user=iam_models.PwdPasswordUser(
                domain=iam_models.PwdPasswordUserDomain(name=HW_DOMAIN),
                name=HW_USER, password="wrong")))))
    e = hw_expect(lambda: iam_client(IamCredentials()).keystone_create_user_token_by_password(
        iam_models.KeystoneCreateUserTokenByPasswordRequest(body=body)), 401, 401)
    assert e.error_msg == "The username or password is wrong.", e.error_msg


@check
def huawei_temporary_credentials_sign_vpc_calls():
    credential = temporary_key(password_token())
    creds = BasicCredentials(credential.access, credential.secret, HW_PID) \
        .with_security_token(credential.securitytoken)
    assert create_and_list(vpc_client_by_endpoint(creds)).tenant_id == HW_PID
    # Region only: the project lookup is signed with the temporary key and its token too.
    os.environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = ENDPOINT
    region_only = BasicCredentials(credential.access, credential.secret) \
        .with_security_token(credential.securitytoken)
    client = vpc_client_by_region(region_only, Region(HW_REGION2, ENDPOINT))
    assert region_only.project_id == HW_PID2, region_only.project_id
    create_and_list(client)
    # Without its token, the key is refused.
    bare = BasicCredentials(credential.access, credential.secret, HW_PID)
    hw_expect(lambda: vpc_client_by_endpoint(bare).list_flow_logs(ListFlowLogsRequest()),
              401, "APIGW.0301")


@check
def huawei_expired_token_and_temporary_credentials():
    expired_token = password_token(endpoint=EXPIRING["endpoint"])
    status, body, _ = raw_http("GET", f"/v1/{HW_PID}/fl/flow_logs", {"X-Auth-Token": expired_token})
    assert (status, body.get("error_code")) == (401, "APIGW.0307"), (status, body)
    # A live token, a key issued by the expiring server: expired at once, on either server.
    credential = temporary_key(password_token(), endpoint=EXPIRING["endpoint"])
    creds = BasicCredentials(credential.access, credential.secret, HW_PID) \
        .with_security_token(credential.securitytoken)
    hw_expect(lambda: vpc_client_by_endpoint(creds).list_flow_logs(ListFlowLogsRequest()),
              401, "APIGW.0307")
    e = hw_expect(lambda: temporary_key(expired_token), 401, "IAM.0066")
    assert "expired" in e.error_msg, e.error_msg


@check
def alibaba_caller_identity_of_an_account_key():
    for v1 in (False, True):
        body = StsClient(ali_config(ALI_KEY, ALI_SECRET, v1=v1)).get_caller_identity().body
        assert (body.identity_type, body.account_id, body.user_id) == ("Account", ALI_ACCOUNT, ALI_ACCOUNT), body
        assert body.arn == f"acs:ram::{ALI_ACCOUNT}:root", body.arn


@check
def alibaba_assumed_role_credentials_on_vpc_v3_v1_and_legacy():
    creds = assume_role()
    for v1 in (False, True):
        config = ali_config(creds.access_key_id, creds.access_key_secret, creds.security_token, v1=v1)
        identity = StsClient(config).get_caller_identity().body
        assert identity.identity_type == "AssumedRoleUser", identity
        assert identity.account_id == ALI_ACCOUNT, identity
        assert identity.arn == f"acs:ram::{ALI_ACCOUNT}:assumed-role/flowplane-check/identity-check", identity.arn
        assert identity.principal_id == f"{identity.role_id}:identity-check", identity
        ali_flow_log_round_trip(AliVpcClient(config))
    legacy = AcsClient(region_id=ALI_REGION, credential=StsTokenCredential(
        creds.access_key_id, creds.access_key_secret, creds.security_token))
    request = DescribeFlowLogsRequest()
    request.set_endpoint(urllib.parse.urlsplit(ENDPOINT).netloc)
    request.set_protocol_type("http")
    body = json.loads(legacy.do_action_with_exception(request))
    assert "FlowLogs" in body and "Code" not in body, body


@check
def alibaba_security_token_errors():
    creds = assume_role()
    other = assume_role(session="other-session")
    describe = vpc_models.DescribeFlowLogsRequest(region_id=ALI_REGION)
    cases = [
        (None, "MissingSecurityToken"),
        ("garbage", "InvalidSecurityToken.Malformed"),
        (other.security_token, "InvalidSecurityToken.MismatchWithAccessKey"),
    ]
    for token, code in cases:
        for v1 in (False, True):
            config = ali_config(creds.access_key_id, creds.access_key_secret, token, v1=v1)
            ali_expect(lambda: AliVpcClient(config).describe_flow_logs(describe), 400, code)
    # The legacy SDK reads the code too.
    legacy = AcsClient(region_id=ALI_REGION, credential=StsTokenCredential(
        creds.access_key_id, creds.access_key_secret, other.security_token))
    request = DescribeFlowLogsRequest()
    request.set_endpoint(urllib.parse.urlsplit(ENDPOINT).netloc)
    request.set_protocol_type("http")
    try:
        legacy.do_action_with_exception(request)
        raise AssertionError("a foreign token was accepted")
    except LegacyServerException as e:
        assert e.get_error_code() == "InvalidSecurityToken.MismatchWithAccessKey", e


@check
def alibaba_expired_credentials():
    creds = assume_role(endpoint=EXPIRING["endpoint"])
    for v1 in (False, True):
        config = ali_config(creds.access_key_id, creds.access_key_secret, creds.security_token, v1=v1)
        ali_expect(lambda: StsClient(config).get_caller_identity(), 400, "InvalidSecurityToken.Expired")
        ali_expect(lambda: AliVpcClient(config).describe_flow_logs(
            vpc_models.DescribeFlowLogsRequest(region_id=ALI_REGION)), 400, "InvalidSecurityToken.Expired")


@check
def alibaba_assume_role_refusals():
    client = StsClient(ali_config(ALI_KEY, ALI_SECRET))
    ali_expect(lambda: client.assume_role(sts_models.AssumeRoleRequest(
        role_arn=f"acs:ram::{ALI_OTHER_ACCOUNT}:role/theirs", role_session_name="s1")), 403, "NoPermission")
    ali_expect(lambda: client.assume_role(sts_models.AssumeRoleRequest(
        role_arn=ROLE_ARN, role_session_name="s1", duration_seconds=600)), 400,
        "InvalidParameter.DurationSeconds")
    ali_expect(lambda: client.assume_role(sts_models.AssumeRoleRequest(
        role_arn="not-an-arn", role_session_name="s1")), 400, "InvalidParameter.RoleArn")


@check
def alibaba_resource_groups():
    for key, secret, token in [(ALI_KEY, ALI_SECRET, None)] + [
            (c.access_key_id, c.access_key_secret, c.security_token) for c in [assume_role()]]:
        client = RmClient(ali_config(key, secret, token, region=None))
        listed = client.list_resource_groups(rm_models.ListResourceGroupsRequest(
            status="OK", page_size=50)).body
        groups = listed.resource_groups.resource_group
        assert listed.total_count == 2 and groups[0].name == "default", listed
        assert all(g.account_id == ALI_ACCOUNT and g.status == "OK" for g in groups), groups
        got = client.get_resource_group(rm_models.GetResourceGroupRequest(
            resource_group_id=groups[0].id)).body.resource_group
        assert got.id == groups[0].id and got.region_statuses.region_status, got
        ali_expect(lambda: client.get_resource_group(rm_models.GetResourceGroupRequest(
            resource_group_id="rg-acfmnosuchgroup0")), 404, "EntityNotExists.ResourceGroup")
    # Another account's default group is not this account's.
    theirs = RmClient(ali_config(ALI_OTHER_KEY, ALI_SECRET, region=None)).list_resource_groups(
        rm_models.ListResourceGroupsRequest()).body.resource_groups.resource_group[0].id
    ali_expect(lambda: RmClient(ali_config(ALI_KEY, ALI_SECRET, region=None)).get_resource_group(
        rm_models.GetResourceGroupRequest(resource_group_id=theirs)), 404, "EntityNotExists.ResourceGroup")


def main():
    if sys.argv[1:] == ["--print-credentials"]:
        print(CREDENTIALS)
        return 0
    if not ENDPOINT:
        print("FLOWPLANE_ENDPOINT is not set (e.g. http://127.0.0.1:8750)", file=sys.stderr)
        return 2
    server = ExpiringServer()
    server.start()
    passed = failed = 0
    try:
        for name, fn in CHECKS:
            try:
                fn()
                passed += 1
                print(f"PASS {name}", flush=True)
            except Exception as exc:  # one broken check must not stop the others
                failed += 1
                print(f"FAIL {name}: {failure_reason(exc)}", flush=True)
    finally:
        server.stop()
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
