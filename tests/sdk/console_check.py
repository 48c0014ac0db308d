#!/usr/bin/env python3
"""The web console (/_flowplane/ui) in a real browser: Debian's headless Chromium driven by
Selenium through Debian's chromedriver (nothing is downloaded at run time: the driver's path is
given and Selenium Manager stays offline).

The script starts a fresh server of its own (on FLOWPLANE_CONSOLE_DATABASE_URL, default a SQLite
database in a temporary directory; its own
credentials, `--auth verify`, `--transition-delay 0s`), so the pages show only what it made, and
Alibaba flow logs set to manual transitions through the control API, so that one stays
`Activating` until the page's "tick all" completes it. Then, with the requests, overview and
flow-logs pages open in three browser windows and never reloaded:

- the official SDKs, unmodified and configured as a user would (huaweicloudsdkvpc and
  huaweicloudsdklts; alibabacloud-vpc20160428 and aliyun-log-python-sdk through Flowplane as its
  HTTP proxy), make a Huawei LTS group and stream, VPC, subnet and a flow log on the subnet, and an
  SLS project and logstore, an Alibaba VPC, vSwitch and a flow log on the vSwitch whose name is
  markup (`<img src=x onerror=alert(1)>"'&`);
- the rows appear live: tr[data-request-id] for each SDK call's request id on the requests page,
  tr[data-id] for both flow logs on the flow-logs page (the markup shown as text: no alert, no
  <img src=x>), counts and the pending transition on the overview;
- a failing SDK call (ShowFlowLog of a flow log that does not exist) is a row of class `failed`
  with the cloud's error code;
- through the act page: tick all ("completed"; the Alibaba row turns Active live), a fault rule
  added with the form fires on the Alibaba SDK's DescribeFlowLogs (Throttling.User) and is
  removed with its button (gone from the table and from GET /_flowplane/faults), a record window
  generated and seen on the flow log's detail page, the snapshot download link's document
  uploaded back ("imported"), a tenant reset (the confirm accepted) and its rows gone from the
  flow-logs page;
- the detail pages' placement lists the VPC and the subnet or vSwitch.

Screenshots of the overview, flow logs, a flow log's detail, requests and act pages go to
target/console-screenshots/ (the overview as overview.png), and on a failure the page then shown
as failure.png.

Environment: FLOWPLANE_BIN (the server binary); CHROMEDRIVER (default /usr/bin/chromedriver, else
`chromedriver` on PATH), CHROMIUM (default /usr/bin/chromium, else `chromium` on PATH).
Prints `PASS console.name` / `FAIL console.name: reason` per step (a failed step ends the
scenario: the later ones depend on it), then `N passed, M failed`; exits 0 only when nothing
failed. Every wait polls with a deadline; none sleeps to wait for the server.
"""

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid

from selenium import webdriver
from selenium.common.exceptions import (
    NoAlertPresentException, NoSuchElementException, StaleElementReferenceException, WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ServiceResponseException
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdklts.v2 import LtsClient
from huaweicloudsdklts.v2 import model as lts
from huaweicloudsdkvpc.v2 import VpcClient as HuaweiVpcClient
from huaweicloudsdkvpc.v2 import model as hw

from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.models import Config
from alibabacloud_vpc20160428 import models as vpc_models
from alibabacloud_vpc20160428.client import Client as AliVpcClient

from server import Server, sqlite_in

HW_AK = "HWCONSOLECHECKACCES1"
HW_SK = "hw-console-check-secret-key-00000000000"
HW_PROJECT = "5c000000000000000000000000000001"
ALI_KEY = "LTAIconsoleCheck01"
ALI_SECRET = "ali-console-check-secret-0000000001"
ALI_ACCOUNT = "5000000000000071"
ALI_REGION = "cn-hangzhou"
SLS_ENDPOINT = f"{ALI_REGION}.log.aliyuncs.com"

CREDENTIALS = f"""[[huawei]]
access_key = "{HW_AK}"
secret_key = "{HW_SK}"

[[alibaba]]
access_key_id = "{ALI_KEY}"
access_key_secret = "{ALI_SECRET}"
account_id = "{ALI_ACCOUNT}"
"""

FLAGS = ("--transition-delay", "0s", "--tls", "off")

# Markup as a name: the page must show it as text.
HOSTILE = "<img src=x onerror=alert(1)>\"'&"

UI = "/_flowplane/ui"
LIVE_DEADLINE = 10.0  # the contract allows ~5 s for a live change
POLL = 0.1

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# FLOWPLANE_CONSOLE_DATABASE_URL: a fresh database for the check's server (default: SQLite in a
# temporary directory); the screenshots of a Postgres run go to a directory of their own.
DATABASE_URL = os.environ.get("FLOWPLANE_CONSOLE_DATABASE_URL")
SHOTS = os.path.join(REPO, "target", "console-screenshots",
                     *(["postgres"] if (DATABASE_URL or "").startswith("postgres") else []))


# --- Polling -------------------------------------------------------------------------------

def wait_until(what, read, timeout=LIVE_DEADLINE):
    """Calls read() until it returns something truthy (a live region swap may make an element
    stale or missing meanwhile: that is another try); returns it."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = read()
            if value:
                return value
            last = value
        except (StaleElementReferenceException, NoSuchElementException) as err:
            last = f"{type(err).__name__}"
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")
        time.sleep(POLL)


def settled(read, timeout=LIVE_DEADLINE):
    """read() again whenever a live region swap made an element it held stale (the swap replaces
    the region's elements; a read or a click of an old one fails and is simply done again)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return read()
        except StaleElementReferenceException:
            if time.monotonic() > deadline:
                raise
            time.sleep(POLL)


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def one(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector)


def quoted(value):
    """A CSS attribute value in double quotes."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def submit(form):
    """A form's submit button (a <button> without a type submits too)."""
    buttons = form.find_elements(By.CSS_SELECTOR, "button[type=submit], input[type=submit], button:not([type])")
    assert buttons, f"form#{form.get_attribute('id')} has no submit button"
    buttons[0].click()


def data_rows(driver, table):
    """The rows of a table's body that hold data (more than one cell: not an "empty" line)."""
    return driver.execute_script(
        "const t = document.querySelector(arguments[0]);"
        "return t ? Array.from(t.querySelectorAll('tbody tr')).filter(r => r.cells.length > 1) : [];", table)


def no_alert(driver):
    """No alert or dialog is open."""
    try:
        alert = driver.switch_to.alert
        text = alert.text
    except NoAlertPresentException:
        return
    raise AssertionError(f"an alert is open: {text!r}")


def no_injected_image(driver):
    images = driver.execute_script(
        "return Array.from(document.querySelectorAll('img')).map(i => i.getAttribute('src'))")
    assert "x" not in images, f"an <img src=x> is in the page: {images}"


# --- The control API, for setup and to read back what the page did -------------------------

def control(endpoint, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


@contextlib.contextmanager
def flowplane_as_proxy(endpoint):
    """SLS's LogClient reaches Flowplane as its HTTP proxy (the documented way), for the calls
    in the block only: the browser and the other clients keep going direct."""
    saved = {name: os.environ.get(name) for name in ("HTTP_PROXY", "http_proxy")}
    os.environ["HTTP_PROXY"] = os.environ["http_proxy"] = endpoint
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --- The browser ---------------------------------------------------------------------------

def executable(env, debian_path, name):
    path = os.environ.get(env) or (debian_path if os.path.exists(debian_path) else shutil.which(name))
    if not path:
        raise SystemExit(f"no {name}: install Debian's chromium and chromium-driver "
                         f"(bash tests/sdk/run.sh --prepare does)")
    return path


def start_browser():
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not download anything
    options = webdriver.ChromeOptions()
    options.binary_location = executable("CHROMIUM", "/usr/bin/chromium", "chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    service = Service(executable("CHROMEDRIVER", "/usr/bin/chromedriver", "chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    return driver


def screenshot(driver, name):
    """target/console-screenshots/<name>.png, written whole (another run may write the same)."""
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, f"{name}.png")
    partial = f"{path}.{os.getpid()}.partial"
    with open(partial, "wb") as f:
        f.write(driver.get_screenshot_as_png())
    os.replace(partial, path)
    return os.path.relpath(path, REPO)


# --- The scenario --------------------------------------------------------------------------

class Console:
    def __init__(self, server, driver, tmp):
        self.endpoint = server.endpoint
        self.driver = driver
        self.tmp = tmp
        self.windows = {}
        creds = BasicCredentials(HW_AK, HW_SK, HW_PROJECT)
        # The SDK hides response headers on success; an official HttpHandler response hook keeps
        # the last raw response, for its X-Request-Id (as huawei_check.py does).
        self.hw_last = {}
        hook = HttpHandler().add_response_handler(lambda **kw: self.hw_last.update(response=kw.get("response")))
        self.hw_vpc = (HuaweiVpcClient.new_builder().with_credentials(creds).with_http_handler(hook)
                       .with_endpoints([self.endpoint]).build())
        self.hw_lts = LtsClient.new_builder().with_credentials(creds).with_endpoints([self.endpoint]).build()
        self.ali_vpc = AliVpcClient(Config(
            access_key_id=ALI_KEY, access_key_secret=ALI_SECRET,
            endpoint=urllib.parse.urlsplit(self.endpoint).netloc, protocol="http", region_id=ALI_REGION))
        self.made = {}
        self.request_ids = {}  # operation -> request id the SDK got

    # windows

    def url(self, path):
        return self.endpoint + path

    def window(self, name):
        self.driver.switch_to.window(self.windows[name])
        return self.driver

    def open_window(self, name, path):
        """A browser window of its own on `path`, loaded once; waits until its stream is live."""
        if self.windows:
            self.driver.switch_to.new_window("window")
        self.windows[name] = self.driver.current_window_handle
        self.driver.get(self.url(path))
        wait_until(f"#live-status data-state=live on {path}",
                   lambda: one(self.driver, "#live-status").get_attribute("data-state") == "live")
        return self.driver

    def assert_not_reloaded(self, name):
        """The window still has the document it loaded (a marker set after the load survives)."""
        driver = self.window(name)
        assert driver.execute_script("return window.__flowplaneCheckMarker === true"), \
            f"the {name} window was reloaded"

    def mark(self, name):
        self.window(name).execute_script("window.__flowplaneCheckMarker = true")

    # steps

    def pages_live(self):
        status, _ = control(self.endpoint, "PUT", "/_flowplane/transitions",
                            {"provider": "alibaba", "kind": "flow_log", "mode": "manual"})
        assert status == 200, status
        for name, path in (("requests", f"{UI}/requests"), ("overview", UI), ("flow-logs", f"{UI}/flow-logs")):
            driver = self.open_window(name, path)
            self.mark(name)
            nav = {urllib.parse.urlsplit(a.get_attribute("href")).path for a in css(driver, "nav#nav a[href]")}
            for target in (UI, f"{UI}/flow-logs", f"{UI}/network", f"{UI}/destinations", f"{UI}/requests",
                           f"{UI}/act"):
                assert target in nav, f"nav#nav on {path} lacks a link to {target}: {sorted(nav)}"
            assert not css(driver, "table#flow-logs tbody tr[data-id]"), "a fresh server's page lists flow logs"
        return "requests, overview and flow-logs windows open, #live-status live, nav#nav links all pages"

    def sdk_creates(self):
        v, l = self.hw_vpc, self.hw_lts
        group = l.create_log_group(lts.CreateLogGroupRequest(body=lts.CreateLogGroupParams(
            log_group_name="console-group", ttl_in_days=7)))
        stream = l.create_log_stream(lts.CreateLogStreamRequest(
            log_group_id=group.log_group_id, body=lts.CreateLogStreamParams(log_stream_name="console-stream")))
        vpc = v.create_vpc(hw.CreateVpcRequest(body=hw.CreateVpcRequestBody(
            vpc=hw.CreateVpcOption(name="vpc-console", cidr="172.16.0.0/16")))).vpc
        subnet = v.create_subnet(hw.CreateSubnetRequest(body=hw.CreateSubnetRequestBody(
            subnet=hw.CreateSubnetOption(name="subnet-console", cidr="172.16.0.0/24", gateway_ip="172.16.0.1",
                                         vpc_id=vpc.id)))).subnet
        created = v.create_flow_log(hw.CreateFlowLogRequest(body=hw.CreateFlowLogReqBody(
            flow_log=hw.CreateFlowLogReq(name="fl-console", description="made by the console check",
                                         resource_type="network", resource_id=subnet.id, traffic_type="all",
                                         log_group_id=group.log_group_id,
                                         log_topic_id=stream.log_stream_id))))
        self.request_ids["huawei CreateFlowLog"] = self.hw_last["response"].headers.get("X-Request-Id")
        self.made.update(hw_vpc=vpc.id, hw_subnet=subnet.id, hw_flow_log=created.flow_log.id,
                         hw_group=group.log_group_id)

        from aliyun.log import LogClient
        project = f"fp-console-{uuid.uuid4().hex[:8]}"
        with flowplane_as_proxy(self.endpoint):
            sls = LogClient(SLS_ENDPOINT, ALI_KEY, ALI_SECRET)
            sls.create_project(project, "console check")
            sls.create_logstore(project, "flowlog", ttl=7, shard_count=1)
        a = self.ali_vpc
        ali_vpc = a.create_vpc(vpc_models.CreateVpcRequest(
            region_id=ALI_REGION, cidr_block="192.168.0.0/16", vpc_name=HOSTILE)).body
        vsw = a.create_vswitch(vpc_models.CreateVSwitchRequest(
            region_id=ALI_REGION, vpc_id=ali_vpc.vpc_id, cidr_block="192.168.1.0/24", zone_id=ALI_REGION + "-b",
            v_switch_name="vsw-console")).body
        fl = a.create_flow_log(vpc_models.CreateFlowLogRequest(
            region_id=ALI_REGION, resource_type="VSwitch", resource_id=vsw.v_switch_id, traffic_type="All",
            project_name=project, log_store_name="flowlog", flow_log_name=HOSTILE,
            description=HOSTILE)).body
        self.request_ids.update({"alibaba CreateVpc": ali_vpc.request_id, "alibaba CreateVSwitch": vsw.request_id,
                                 "alibaba CreateFlowLog": fl.request_id})
        self.made.update(ali_vpc=ali_vpc.vpc_id, ali_vswitch=vsw.v_switch_id, ali_flow_log=fl.flow_log_id,
                         ali_project=project)
        return (f"Huawei LTS group+stream, VPC {vpc.id}, subnet {subnet.id}, flow log {created.flow_log.id}; "
                f"SLS project {project}+logstore, Alibaba VPC {ali_vpc.vpc_id}, vSwitch {vsw.v_switch_id}, "
                f"flow log {fl.flow_log_id} (named {HOSTILE!r})")

    def requests_live(self):
        driver = self.window("requests")
        for what, request_id in self.request_ids.items():
            if not request_id:
                continue
            operation = what.split()[1]
            selector = f"tr[data-request-id={quoted(request_id)}]"
            wait_until(f"the requests page's row for {what} ({request_id})", lambda: css(driver, selector))
            got = settled(lambda: one(driver, f"{selector} .operation").text)
            assert got == operation, f"row {request_id}: .operation {got!r}, want {operation!r}"
        for operation in ("CreateLogGroup", "CreateVpc", "CreateSubnet", "CreateFlowLog", "CreateVSwitch"):
            wait_until(f"a requests row whose .operation is {operation}",
                       lambda: [c for c in css(driver, "tbody#request-rows tr[data-request-id] .operation")
                                if c.text == operation])
        face = settled(lambda: one(
            driver, f"tr[data-request-id={quoted(self.request_ids['alibaba CreateFlowLog'])}] .face").text)
        assert "alibaba" in face.lower(), f".face of Alibaba's CreateFlowLog row: {face!r}"
        self.assert_not_reloaded("requests")
        no_alert(driver)
        return f"rows for {', '.join(self.request_ids)} (by the SDKs' request ids) appeared without a reload"

    def flow_logs_live(self):
        driver = self.window("flow-logs")
        for key in ("hw_flow_log", "ali_flow_log"):
            wait_until(f"flow-logs row tr[data-id={self.made[key]}]",
                       lambda: css(driver, f"table#flow-logs tr[data-id={quoted(self.made[key])}]"))
        settled(self.check_flow_log_rows)
        no_alert(driver)
        no_injected_image(driver)
        self.assert_not_reloaded("flow-logs")
        return ("both flow logs' rows appeared without a reload; the markup name is text "
                "(no alert, no <img src=x>); Alibaba's is Activating")

    def check_flow_log_rows(self):
        driver = self.window("flow-logs")
        row = one(driver, f"table#flow-logs tr[data-id={quoted(self.made['ali_flow_log'])}]")
        assert row.get_attribute("data-provider") == "alibaba", row.get_attribute("data-provider")
        name = row.find_element(By.CSS_SELECTOR, ".name").text
        assert name == HOSTILE, f"the markup name shows as {name!r}, want the text {HOSTILE!r}"
        assert self.made["ali_vswitch"] in row.find_element(By.CSS_SELECTOR, ".resource").text
        link = row.find_element(By.CSS_SELECTOR, ".id a[href]").get_attribute("href")
        assert urllib.parse.urlsplit(link).path == f"{UI}/flow-log", link
        hw_row = one(driver, f"table#flow-logs tr[data-id={quoted(self.made['hw_flow_log'])}]")
        assert hw_row.get_attribute("data-provider") == "huawei", hw_row.get_attribute("data-provider")
        assert HW_PROJECT in hw_row.find_element(By.CSS_SELECTOR, ".tenant").text
        status = row.find_element(By.CSS_SELECTOR, ".status").text
        assert status.strip().lower() == "activating", f"the manual Alibaba flow log's .status {status!r}, want Activating"

    def overview_live(self):
        driver = self.window("overview")
        for provider, tenant in (("huawei", HW_PROJECT), ("alibaba", ALI_ACCOUNT)):
            wait_until(f"table#counts rows of {provider} {tenant}",
                       lambda: css(driver, f"table#counts tr[data-provider={quoted(provider)}]"
                                           f"[data-tenant={quoted(tenant)}]"))
        wait_until("the Alibaba flow log in table#pending",
                   lambda: self.made["ali_flow_log"] in one(driver, "table#pending").text)
        no_alert(driver)
        no_injected_image(driver)
        self.assert_not_reloaded("overview")
        return f"table#counts rows for both tenants and table#pending with the flow log, live; {screenshot(driver, 'overview')}"

    def failed_request(self):
        missing = str(uuid.uuid4())
        try:
            self.hw_vpc.show_flow_log(hw.ShowFlowLogRequest(flowlog_id=missing))
        except ServiceResponseException as err:
            code, request_id, status = err.error_code, err.request_id, err.status_code
        else:
            raise AssertionError(f"ShowFlowLog of {missing} succeeded")
        assert code and request_id, (code, request_id)
        driver = self.window("requests")
        selector = f"tr[data-request-id={quoted(request_id)}]"
        wait_until(f"the failed request's row {request_id}", lambda: css(driver, selector))

        def check_row():
            row = one(driver, selector)
            classes = (row.get_attribute("class") or "").split()
            assert "failed" in classes, f"the row of a {status} has classes {classes}"
            error = row.find_element(By.CSS_SELECTOR, ".error").text
            assert code in error, f".error {error!r}, want the cloud's code {code}"
            assert str(status) in row.find_element(By.CSS_SELECTOR, ".status").text
        settled(check_row)
        self.assert_not_reloaded("requests")
        return f"ShowFlowLog of a missing flow log ({status} {code}) is a row of class failed with {code} in .error"

    def requests_screenshot(self):
        return screenshot(self.window("requests"), "requests")

    def act_page(self):
        driver = self.window("overview")
        driver.get(self.url(f"{UI}/act"))
        wait_until("#live-status live on the act page",
                   lambda: one(driver, "#live-status").get_attribute("data-state") == "live")
        # Keyboard: the first Tab reaches the skip link, Enter on it moves to the content, and the
        # next Tabs reach the Act page's first control (a native, focusable button).
        active = lambda: driver.switch_to.active_element
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        assert active().get_attribute("class") == "skip", active().get_attribute("outerHTML")
        active().send_keys(Keys.ENTER)
        wait_until("the skip link to move to #content", lambda: driver.current_url.endswith("#content"))
        for _ in range(10):
            active().send_keys(Keys.TAB)
            if active().get_attribute("id") == "tick":
                break
        assert active().get_attribute("id") == "tick", active().get_attribute("outerHTML")
        return ("the overview window now on /_flowplane/ui/act, live; Tab reaches the skip link, "
                "Enter skips to the content, Tab reaches button#tick")

    def act_result(self, what, check):
        driver = self.window("overview")
        return wait_until(what, lambda: check(one(driver, "output#act-result").text))

    def clear_result(self):
        self.window("overview").execute_script("document.querySelector('output#act-result').textContent = ''")

    def tick_all(self):
        driver = self.window("overview")
        self.clear_result()
        one(driver, "button#tick-all").click()
        text = self.act_result("output#act-result to say completed", lambda t: "completed" in t and t)
        flow_logs = self.window("flow-logs")
        row = f"table#flow-logs tr[data-id={quoted(self.made['ali_flow_log'])}] .status"
        wait_until("the Alibaba flow log's .status to turn Active on the flow-logs page",
                   lambda: one(flow_logs, row).text.strip().lower() == "active")
        self.assert_not_reloaded("flow-logs")
        requests = self.window("requests")
        change = f"ol#state-changes li[data-id={quoted(self.made['ali_flow_log'])}]"
        wait_until("the requests page to list the flow log's activation among its state changes",
                   lambda: any("→ active" in li.text for li in css(requests, change)))
        self.assert_not_reloaded("requests")
        return (f"button#tick-all: {text.strip()!r}; the Alibaba row turned Active and the requests "
                "page listed the state change, without a reload")

    def fault_rule(self):
        driver = self.window("overview")
        before = settled(lambda: {r.get_attribute("data-id") for r in css(driver, "table#fault-rules tr[data-id]")})
        form = one(driver, "form#add-fault")
        Select(form.find_element(By.CSS_SELECTOR, "select[name=face]")).select_by_value("alibaba")
        Select(form.find_element(By.CSS_SELECTOR, "select[name=effect]")).select_by_value("error")
        for name, value in (("product", "vpc"), ("operation", "DescribeFlowLogs"), ("tenant", ALI_ACCOUNT),
                            ("status", "400"), ("code", "Throttling.User"), ("message", "slow down"),
                            ("times", "1")):
            field = form.find_element(By.CSS_SELECTOR, f"input[name={name}]")
            field.clear()
            field.send_keys(value)
        self.clear_result()
        submit(form)
        self.act_result("output#act-result to answer the new rule", lambda t: t.strip())
        added = wait_until("a new row in table#fault-rules",
                           lambda: {r.get_attribute("data-id") for r in css(driver, "table#fault-rules tr[data-id]")}
                           - before)
        assert len(added) == 1, added
        rule_id = added.pop()
        status, listed = control(self.endpoint, "GET", "/_flowplane/faults")
        rule = next((r for r in listed["faults"] if r["id"] == rule_id), None)
        assert rule is not None, f"rule {rule_id} of the table is not in GET /_flowplane/faults: {listed}"
        assert (rule.get("face"), rule.get("operation")) == ("alibaba", "DescribeFlowLogs"), rule
        assert rule["effect"] == {"error": {"status": 400, "code": "Throttling.User", "message": "slow down"}}, rule

        try:
            self.ali_vpc.describe_flow_logs(vpc_models.DescribeFlowLogsRequest(region_id=ALI_REGION))
        except AlibabaCloudException as err:
            assert (err.code, err.status_code) == ("Throttling.User", 400), (err.code, err.status_code, err.message)
        else:
            raise AssertionError("DescribeFlowLogs succeeded: the rule did not fire")
        answer = self.ali_vpc.describe_flow_logs(vpc_models.DescribeFlowLogsRequest(region_id=ALI_REGION)).body
        assert self.made["ali_flow_log"] in [f.flow_log_id for f in answer.flow_logs.flow_log], answer
        requests = self.window("requests")
        wait_until("a failed DescribeFlowLogs row with Throttling.User on the requests page",
                   lambda: [r for r in css(requests, "tr.failed[data-request-id]")
                            if r.find_element(By.CSS_SELECTOR, ".operation").text == "DescribeFlowLogs"
                            and "Throttling.User" in r.find_element(By.CSS_SELECTOR, ".error").text])

        driver = self.window("overview")
        settled(lambda: one(driver, f"table#fault-rules tr[data-id={quoted(rule_id)}] button.remove-fault").click())
        wait_until(f"rule {rule_id} to leave table#fault-rules",
                   lambda: not css(driver, f"table#fault-rules tr[data-id={quoted(rule_id)}]"))
        status, listed = control(self.endpoint, "GET", "/_flowplane/faults")
        assert status == 200 and all(r["id"] != rule_id for r in listed["faults"]), listed
        return (f"form#add-fault made rule {rule_id} (alibaba vpc DescribeFlowLogs error 400 Throttling.User); "
                "the SDK's DescribeFlowLogs raised Throttling.User, then succeeded; button.remove-fault removed it "
                "(gone from the table and GET /_flowplane/faults)")

    def generate_records(self):
        driver = self.window("overview")
        form = one(driver, "form#generate")
        windows = form.find_element(By.CSS_SELECTOR, "input[name=windows]")
        windows.clear()
        windows.send_keys("1")
        flow_log = form.find_element(By.CSS_SELECTOR, "input[name=flow_log_id]")
        flow_log.clear()
        flow_log.send_keys(self.made["ali_flow_log"])
        self.clear_result()
        submit(form)
        text = self.act_result("output#act-result to answer the generation", lambda t: t.strip())
        assert "error" not in text.lower(), f"generate answered {text!r}"
        return f"form#generate (1 window, {self.made['ali_flow_log']}): {text.strip()!r}"

    def detail(self, provider, key):
        driver = self.window("overview")
        query = urllib.parse.urlencode({"provider": provider, "id": self.made[key]})
        driver.get(self.url(f"{UI}/flow-log?{query}"))
        one(driver, "ol#placement")
        return driver

    def detail_pages(self):
        driver = self.detail("huawei", "hw_flow_log")

        def huawei():
            placement = one(driver, "ol#placement").text
            for key in ("hw_vpc", "hw_subnet"):
                assert self.made[key] in placement, f"Huawei ol#placement lacks {key} {self.made[key]}: {placement!r}"
            for selector in ("dl#settings", "table#tags", "section#destination", "table#records"):
                one(driver, selector)
        settled(huawei)

        driver = self.detail("alibaba", "ali_flow_log")

        def alibaba():
            placement = one(driver, "ol#placement").text
            for key in ("ali_vpc", "ali_vswitch"):
                assert self.made[key] in placement, f"Alibaba ol#placement lacks {key} {self.made[key]}: {placement!r}"
            heading = one(driver, "h1").text
            assert HOSTILE in heading, f"the detail page's h1 {heading!r} does not show the markup name as text"
        settled(alibaba)
        no_alert(driver)
        no_injected_image(driver)
        rows = wait_until("rows in table#records of the Alibaba flow log",
                          lambda: data_rows(driver, "table#records"))
        shot = screenshot(driver, "flow-log-detail")
        return (f"ol#placement: Huawei VPC and subnet, Alibaba VPC and vSwitch; the h1 shows the markup as text; "
                f"{len(rows)} rows in table#records; {shot}")

    def flow_logs_screenshot(self):
        return screenshot(self.window("flow-logs"), "flow-logs")

    def snapshot_round_trip(self):
        driver = self.window("overview")
        driver.get(self.url(f"{UI}/act"))
        wait_until("#live-status live on the act page",
                   lambda: one(driver, "#live-status").get_attribute("data-state") == "live")
        link = one(driver, "a#snapshot-download")
        href = link.get_dom_attribute("href")
        assert urllib.parse.urlsplit(href).path == "/_flowplane/snapshot", f"a#snapshot-download href {href!r}"
        assert link.get_dom_attribute("download") is not None, "a#snapshot-download has no download attribute"
        with urllib.request.urlopen(urllib.parse.urljoin(driver.current_url, href), timeout=30) as response:
            document = response.read()
        snapshot = json.loads(document)
        assert snapshot.get("format") == "flowplane-snapshot", str(snapshot)[:300]
        path = os.path.join(self.tmp, "snapshot.json")
        with open(path, "wb") as f:
            f.write(document)
        form = one(driver, "form#snapshot-upload")
        form.find_element(By.CSS_SELECTOR, "input[type=file][name=snapshot]").send_keys(path)
        Select(form.find_element(By.CSS_SELECTOR, "select[name=mode]")).select_by_value("replace")
        self.clear_result()
        submit(form)
        text = self.act_result("output#act-result to mention imported", lambda t: "imported" in t and t)
        flow_logs = self.window("flow-logs")
        for key in ("hw_flow_log", "ali_flow_log"):
            assert css(flow_logs, f"table#flow-logs tr[data-id={quoted(self.made[key])}]"), \
                f"{key} is gone from the flow-logs page after importing the export"
        return f"a#snapshot-download -> {len(document)} bytes of flowplane-snapshot; uploaded (replace): {text.strip()[:120]!r}"

    def reset_tenant(self):
        driver = self.window("overview")
        form = one(driver, "form#reset")
        Select(form.find_element(By.CSS_SELECTOR, "select[name=provider]")).select_by_value("alibaba")
        tenant = form.find_element(By.CSS_SELECTOR, "input[name=tenant]")
        tenant.clear()
        tenant.send_keys(ALI_ACCOUNT)
        self.clear_result()
        submit(form)
        alert = wait_until("the reset's confirm dialog", lambda: self._alert(driver))
        asked = alert.text
        alert.accept()
        text = self.act_result("output#act-result to answer the reset", lambda t: t.strip())
        screenshot(driver, "act")
        flow_logs = self.window("flow-logs")
        wait_until("the Alibaba tenant's rows to leave the flow-logs page",
                   lambda: not css(flow_logs, "table#flow-logs tr[data-provider=alibaba]"))
        assert css(flow_logs, f"table#flow-logs tr[data-id={quoted(self.made['hw_flow_log'])}]"), \
            "the Huawei flow log went too"
        self.assert_not_reloaded("flow-logs")
        answer = self.ali_vpc.describe_flow_logs(vpc_models.DescribeFlowLogsRequest(region_id=ALI_REGION)).body
        assert answer.flow_logs.flow_log == [], f"the SDK still lists flow logs after the reset: {answer}"
        return (f"form#reset alibaba {ALI_ACCOUNT}: confirm {asked!r} accepted, {text.strip()[:120]!r}; "
                "its rows left the flow-logs page live, Huawei's stayed")

    @staticmethod
    def _alert(driver):
        try:
            return driver.switch_to.alert
        except NoAlertPresentException:
            return None


def main():
    binary = os.environ.get("FLOWPLANE_BIN")
    if not binary:
        raise SystemExit("FLOWPLANE_BIN must name the flowplane binary")
    passed = failed = 0
    started = time.monotonic()
    for stale in ("failure.png", "failure.html"):  # a former run's failure is not this run's
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(SHOTS, stale))
    with tempfile.TemporaryDirectory() as tmp:
        credentials = os.path.join(tmp, "credentials.toml")
        with open(credentials, "w") as f:
            f.write(CREDENTIALS)
        server = Server(binary, DATABASE_URL or sqlite_in(tmp, "console.db"), credentials, *FLAGS)
        driver = None
        try:
            driver = start_browser()
            print(f"console: Chromium {driver.capabilities.get('browserVersion')} headless, server at "
                  f"{server.endpoint}", flush=True)
            c = Console(server, driver, tmp)
            steps = [
                ("pages_live", c.pages_live),
                ("sdk_creates", c.sdk_creates),
                ("requests_appear_live", c.requests_live),
                ("flow_logs_appear_live_markup_as_text", c.flow_logs_live),
                ("overview_live", c.overview_live),
                ("failed_request_row", c.failed_request),
                ("requests_screenshot", c.requests_screenshot),
                ("act_page", c.act_page),
                ("tick_all", c.tick_all),
                ("fault_rule_add_fire_remove", c.fault_rule),
                ("generate_records", c.generate_records),
                ("detail_placement_and_records", c.detail_pages),
                ("flow_logs_screenshot", c.flow_logs_screenshot),
                ("snapshot_download_upload", c.snapshot_round_trip),
                ("reset_tenant", c.reset_tenant),
            ]
            for name, step in steps:
                try:
                    said = step()
                    passed += 1
                    print(f"PASS console.{name}: {said}", flush=True)
                except Exception as err:  # noqa: BLE001 - report, keep the picture, stop
                    failed += 1
                    print(f"FAIL console.{name}: {type(err).__name__}: {err}", flush=True)
                    traceback.print_exc(limit=4)
                    with contextlib.suppress(WebDriverException):
                        with contextlib.suppress(NoAlertPresentException):
                            driver.switch_to.alert.dismiss()
                        print(f"console: the page then ({driver.current_url}): {screenshot(driver, 'failure')}",
                              flush=True)
                        with open(os.path.join(SHOTS, "failure.html"), "w") as f:
                            f.write(driver.page_source)
                    break
        finally:
            try:
                if driver is not None:
                    driver.quit()
            finally:
                try:
                    server.stop()
                except RuntimeError as err:
                    failed += 1
                    print(f"FAIL console.server_stops_cleanly: {err}", flush=True)
    print(f"console: {time.monotonic() - started:.1f} s; screenshots in {os.path.relpath(SHOTS, REPO)}/", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
