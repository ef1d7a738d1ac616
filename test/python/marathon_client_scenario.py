"""A full Marathon client scenario against a running Cairn cluster, with PyPI `marathon` 0.13.0
(marathon-python) unchanged: every call is the client's own method, every answer is parsed by its
own strict models. Driven by environment variables:

  CAIRN_MASTER_URL       the master (required), e.g. http://127.0.0.1:8080
  SCENARIO_APP_PREFIX    app ids are created under it (default /py)
  SCENARIO_WAIT_SECONDS  how long one wait may take (default 90)

Every step prints `STEP <name>: ok` or `STEP <name>: FAILED <why>`; the scenario goes on after a
failure (later steps may fail because of it), and the exit code is 1 when any step failed.
"""
import collections
import collections.abc
import json
import os
import sys
import threading
import time
import traceback

# marathon 0.13.0 uses collections.Iterable, gone since Python 3.10. The test prefers a 3.9
# interpreter; on a newer one the alias restores the name. (Asked by version: on 3.9 even
# looking the old name up warns.)
if sys.version_info >= (3, 10):
    collections.Iterable = collections.abc.Iterable

import marathon  # noqa: E402
from marathon import MarathonClient  # noqa: E402
from marathon.exceptions import MarathonHttpError, NotFoundError  # noqa: E402
from marathon.models import MarathonApp, MarathonHealthCheck  # noqa: E402
from marathon.models.app import MarathonUpgradeStrategy, PortDefinition  # noqa: E402
from marathon.models.deployment import MarathonDeployment  # noqa: E402
from marathon.models.group import MarathonGroup  # noqa: E402
from marathon.models.events import (  # noqa: E402
    MarathonDeploymentInfo,
    MarathonDeploymentSuccess,
    MarathonEvent,
    MarathonHealthStatusChangedEvent,
    MarathonStatusUpdateEvent,
)
from marathon.models.info import MarathonInfo  # noqa: E402
from marathon.models.queue import MarathonQueueItem  # noqa: E402
from marathon.models.task import MarathonTask  # noqa: E402

MASTER = os.environ["CAIRN_MASTER_URL"]
PREFIX = os.environ.get("SCENARIO_APP_PREFIX", "/py").rstrip("/")
WAIT = float(os.environ.get("SCENARIO_WAIT_SECONDS", "90"))
WEB = PREFIX + "/web"
HUGE = PREFIX + "/too-big"
STACK = PREFIX + "/stack"

# A real server per task: python's http.server on $PORT0, checked over HTTP by the agent.
SERVE = "mkdir -p www && touch www/alive && cd www && exec python3 -m http.server $PORT0 --bind 127.0.0.1"

client = MarathonClient(MASTER, timeout=30)
failures = []


def say(line):
    print(line, flush=True)


def describe(error):
    """What a failed call tells: the HTTP status and Marathon's message/details, or the exception."""
    if isinstance(error, MarathonHttpError):
        details = getattr(error, "error_details", None)
        return "HTTP %s %s: %s%s" % (
            error.status_code,
            type(error).__name__,
            error.error_message,
            "" if details is None else " details=" + json.dumps(details),
        )
    return "%s: %s" % (type(error).__name__, error)


def step(name, fn):
    try:
        result = fn()
    except Exception as error:  # every failure is reported, with the call that failed
        failures.append(name)
        say("STEP %s: FAILED %s" % (name, describe(error)))
        if not isinstance(error, (MarathonHttpError, AssertionError)):
            traceback.print_exc(file=sys.stdout)
        return None
    say("STEP %s: ok" % name)
    return result


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def wait_for(describe_what, probe):
    """Polls `probe` until it returns a truthy value (its exceptions count as 'not yet')."""
    deadline = time.time() + WAIT
    last = None
    while time.time() < deadline:
        try:
            value = probe()
            if value:
                return value
            last = value
        except Exception as error:
            last = describe(error)
        time.sleep(0.5)
    raise AssertionError("timed out after %ss waiting for %s (last: %s)" % (WAIT, describe_what, last))


def no_deployment_for(app_id):
    return wait_for(
        "no deployment for " + app_id,
        lambda: all(app_id not in (d.affected_apps or []) for d in client.list_deployments()) or None,
    )


def healthy(app_id, version=None):
    """Every wanted instance of the app runs (at `version` if given) and passes its health checks."""

    def probe():
        app = client.get_app(app_id)
        tasks = [t for t in app.tasks if version is None or t.version == version]
        alive = [t for t in tasks if t.health_check_results and all(r.alive for r in t.health_check_results)]
        count = app.instances
        return app if len(alive) == count and len(app.tasks) == count and app.tasks_healthy == count else None

    return wait_for("every task of %s healthy%s" % (app_id, "" if version is None else " at " + version), probe)


# ---- the event stream, parsed by the client's EventFactory, read all along the scenario ----

events = []
stream_errors = []


def read_events():
    try:
        for event in client.event_stream():
            events.append(event)
    except Exception as error:  # an unknown eventType or a model that does not parse ends up here
        stream_errors.append(describe(error) + stream_diagnosis())
        traceback.print_exc(file=sys.stdout)


def stream_diagnosis():
    """The client only says 'No remaining Marathon servers to try': ask the server what it answered."""
    import requests

    try:
        response = requests.get(MASTER + "/v2/events", headers={"Accept": "text/event-stream"}, stream=True, timeout=5)
        head = next(response.iter_content(300), b"").decode("utf8", "replace")
        response.close()
        return " (GET /v2/events answers HTTP %s %s: %s)" % (response.status_code, response.headers.get("content-type"), head)
    except Exception as error:
        return " (GET /v2/events: %s)" % error


def start_event_stream():
    reader = threading.Thread(target=read_events, name="event-stream", daemon=True)
    reader.start()
    # Marathon posts event_stream_attached once the stream is subscribed: the scenario starts
    # then, so its first events are not missed. A stream that fails at once fails this step.
    deadline = time.time() + 5
    while time.time() < deadline and not stream_errors:
        if any(e.event_type == "event_stream_attached" for e in events):
            return
        time.sleep(0.1)
    check(not stream_errors, "the event stream failed: %s" % stream_errors)
    check(reader.is_alive(), "the event stream ended at once")


# ---- the scenario ----


def get_info():
    info = client.get_info()
    check(isinstance(info, MarathonInfo), "get_info returned %r" % info)
    check(info.name and info.version, "info without name/version: %r" % info)
    check(info.marathon_config is not None and info.http_config is not None, "info without configs")
    return info


def get_leader():
    leader = client.get_leader()
    check(isinstance(leader, dict) and ":" in leader.get("leader", ""), "leader: %r" % leader)
    return leader


def create_web():
    app = MarathonApp(
        cmd=SERVE,
        instances=1,
        cpus=0.05,
        mem=32,
        backoff_seconds=1,
        labels={"team": "py", "tier": "web"},
        env={"COLOR": "blue"},
        port_definitions=[PortDefinition(port=0, protocol="tcp", name="http")],
        upgrade_strategy=MarathonUpgradeStrategy(minimum_health_capacity=1, maximum_over_capacity=1),
        health_checks=[
            MarathonHealthCheck(
                protocol="HTTP",
                path="/alive",
                port_index=0,
                grace_period_seconds=30,
                interval_seconds=1,
                timeout_seconds=2,
                max_consecutive_failures=3,
            )
        ],
    )
    created = client.create_app(WEB, app)
    check(isinstance(created, MarathonApp), "create_app did not answer 201 with the app: %r" % created)
    check(created.id == WEB and created.instances == 1, "created: %r" % created)
    return created


def get_app():
    app = healthy(WEB)
    check(app.labels == {"team": "py", "tier": "web"}, "labels: %r" % app.labels)
    check(len(app.health_checks) == 1 and app.health_checks[0].path == "/alive", "health checks kept")
    no_deployment_for(WEB)
    full = client.get_app(
        WEB,
        embed_tasks=True,
        embed_counts=True,
        embed_deployments=True,
        embed_readiness=True,
        embed_last_task_failure=True,
        embed_failures=True,
        embed_task_stats=True,
    )
    check(full.task_stats is not None and full.task_stats.total_summary is not None, "taskStats embedded")
    check(full.task_stats.total_summary.stats.counts.running == 1, "taskStats counts: %r" % full.task_stats)
    check(full.deployments == [], "no deployment left: %r" % full.deployments)
    return full


def list_apps():
    plain = client.list_apps()
    mine = [a for a in plain if a.id == WEB]
    check(len(mine) == 1, "list_apps has %s: %r" % (WEB, plain))
    check(mine[0].tasks == [], "the list embeds no tasks unless asked")
    with_tasks = client.list_apps(embed_tasks=True, embed_counts=True, embed_deployments=True, embed_task_stats=True)
    mine = [a for a in with_tasks if a.id == WEB]
    check(len(mine) == 1 and len(mine[0].tasks) == 1, "embed_tasks: %r" % mine)
    check(mine[0].task_stats is not None, "embed_task_stats")
    check([a.id for a in client.list_apps(embed_failures=True, embed_readiness=True, app_id=PREFIX)] == [WEB], "by id")
    check([a.id for a in client.list_apps(cmd="http.server")] == [WEB], "by cmd")
    check([a.id for a in client.list_apps(label="team==py,tier in (web, db)")] == [WEB], "by label")
    check(client.list_apps(label="team!=py") == [], "label != excludes it")
    try:
        client.list_apps(label="team==")
        raise AssertionError("a malformed label selector was accepted")
    except MarathonHttpError as error:
        check(error.status_code == 400, "malformed label selector: %s" % describe(error))


def scale_up():
    result = client.scale_app(WEB, instances=2)
    check(isinstance(result, dict) and result.get("deploymentId"), "scale_app: %r" % result)
    healthy(WEB)
    no_deployment_for(WEB)


def list_tasks():
    tasks = client.list_tasks(WEB)
    check(len(tasks) == 2 and all(isinstance(t, MarathonTask) for t in tasks), "list_tasks(app): %r" % tasks)
    check(all(t.app_id == WEB and t.started_at is not None for t in tasks), "tasks started")
    check(all(len(t.service_ports) == 1 for t in tasks), "servicePorts: %r" % [t.service_ports for t in tasks])
    everything = client.list_tasks()
    check({t.id for t in tasks} <= {t.id for t in everything}, "list_tasks() has them")
    endpoints = [e for e in client.list_endpoints() if e.app_id == WEB]
    check(len(endpoints) == 2, "list_endpoints: %r" % endpoints)
    return tasks


def kill_task_and_scale(tasks):
    victim = tasks[-1]
    result = client.kill_task(WEB, victim.id, scale=True)
    # Marathon answers a deployment (scale=true) or the task: both are accepted by the client.
    check(
        (isinstance(result, dict) and result.get("deploymentId")) or isinstance(result, MarathonTask),
        "kill_task: %r" % result,
    )
    wait_for(
        "%s gone and %s at 1 instance" % (victim.id, WEB),
        lambda: (lambda app: app.instances == 1 and [t.id for t in app.tasks] == [tasks[0].id])(client.get_app(WEB)),
    )
    no_deployment_for(WEB)


def update_app(state):
    app = client.get_app(WEB)
    state["original_version"] = app.version
    app.env["COLOR"] = "green"
    result = client.update_app(WEB, app)
    check(isinstance(result, dict) and result.get("deploymentId"), "update_app: %r" % result)
    new = wait_for("the new version of %s" % WEB, lambda: (lambda a: a if a.version != app.version else None)(client.get_app(WEB)))
    check(new.env.get("COLOR") == "green", "env after update: %r" % new.env)
    healthy(WEB, new.version)
    no_deployment_for(WEB)
    state["updated_version"] = new.version


def versions(state):
    listed = client.list_versions(WEB)
    check(state["original_version"] in listed and state["updated_version"] in listed, "versions: %r" % listed)
    old = client.get_version(WEB, state["original_version"])
    check(isinstance(old, MarathonApp) and old.env.get("COLOR") == "blue", "get_version: %r" % old)


def rollback(state):
    result = client.rollback_app(WEB, state["original_version"])
    check(isinstance(result, dict) and result.get("deploymentId"), "rollback_app: %r" % result)
    back = wait_for("%s rolled back" % WEB, lambda: (lambda a: a if a.env.get("COLOR") == "blue" else None)(client.get_app(WEB)))
    healthy(WEB, back.version)
    no_deployment_for(WEB)


def restart_and_list_deployments():
    before = client.get_app(WEB)
    result = client.restart_app(WEB)
    check(isinstance(result, dict) and result.get("deploymentId"), "restart_app: %r" % result)
    # A rolling restart with a health check takes seconds: it is listed while it runs.
    deployments = client.list_deployments()
    check(all(isinstance(d, MarathonDeployment) for d in deployments), "list_deployments: %r" % deployments)
    mine = [d for d in deployments if d.id == result["deploymentId"]]
    check(len(mine) == 1, "the restart is listed: %r" % deployments)
    check(WEB in mine[0].affected_apps and mine[0].total_steps >= 1, "deployment: %r" % mine[0])
    check(
        all(a.action and a.app for a in mine[0].current_actions),
        "current actions: %r" % mine[0].current_actions,
    )
    no_deployment_for(WEB)
    after = healthy(WEB)
    check({t.id for t in after.tasks}.isdisjoint({t.id for t in before.tasks}), "the restart replaced the task")


def create_queued():
    created = client.create_app(HUGE, MarathonApp(cmd="sleep 600", instances=1, cpus=1000, mem=16))
    check(isinstance(created, MarathonApp), "create_app(%s): %r" % (HUGE, created))


def list_queue():
    item = wait_for(
        "%s in the launch queue" % HUGE,
        lambda: [q for q in client.list_queue() if q.app.id == HUGE],
    )[0]
    check(isinstance(item, MarathonQueueItem) and item.count == 1, "queue item: %r" % item)
    check(item.delay is not None and item.delay.time_left_seconds is not None, "queue delay: %r" % item.delay)
    with_offers = [q for q in client.list_queue(embed_last_unused_offers=True) if q.app.id == HUGE]
    check(len(with_offers) == 1, "list_queue(embed_last_unused_offers=True): %r" % with_offers)


def reset_delay():
    client.reset_delay(HUGE)


def delete_app(app_id, force=False):
    result = client.delete_app(app_id, force=force)
    check(isinstance(result, dict) and result.get("deploymentId"), "delete_app(%s): %r" % (app_id, result))

    def gone():
        try:
            client.get_app(app_id)
            return None
        except NotFoundError:
            return True

    wait_for("%s deleted" % app_id, gone)
    # The app is gone at once; its tasks are killed by the deployment that removes it.
    wait_for("no task of %s left" % app_id, lambda: not [t for t in client.list_tasks() if t.app_id == app_id])


# ---- groups: a database group and an api group that depends on it ----


def create_group(state):
    store = MarathonApp(
        id=STACK + "/db/store",
        cmd=SERVE,
        instances=1,
        cpus=0.05,
        mem=16,
        port_definitions=[PortDefinition(port=0, protocol="tcp", name="http")],
        health_checks=[
            MarathonHealthCheck(protocol="HTTP", path="/alive", port_index=0, grace_period_seconds=30, interval_seconds=1, timeout_seconds=2)
        ],
    )
    server = MarathonApp(id=STACK + "/api/server", cmd="sleep 600", instances=1, cpus=0.05, mem=16)
    group = MarathonGroup(
        id=STACK,
        groups=[
            MarathonGroup(id=STACK + "/db", apps=[store]),
            MarathonGroup(id=STACK + "/api", apps=[server], dependencies=[STACK + "/db"]),
        ],
    )
    result = client.create_group(group)
    check(result.get("deploymentId") and result.get("version"), "create_group answered %r" % result)
    state["group_version"] = result["version"]
    healthy(STACK + "/db/store")
    wait_for("the api server running", lambda: client.get_app(STACK + "/api/server").tasks_running == 1)
    # The dependency held: the api's task started after the store's first passing health check.
    store_task = client.get_app(STACK + "/db/store").tasks[0]
    api_task = client.get_app(STACK + "/api/server").tasks[0]
    first_alive = store_task.health_check_results[0].first_success
    check(api_task.staged_at >= first_alive, "api staged %s before the store was healthy %s" % (api_task.staged_at, first_alive))


def get_and_list_groups():
    group = client.get_group(STACK)
    check(isinstance(group, MarathonGroup) and group.id == STACK, "get_group: %r" % group)
    check([g.id for g in group.groups] == [STACK + "/api", STACK + "/db"], "subgroups: %r" % group.groups)
    api = [g for g in group.groups if g.id == STACK + "/api"][0]
    check(api.dependencies == [STACK + "/db"], "dependencies: %r" % api.dependencies)
    check([a.id for a in api.apps] == [STACK + "/api/server"], "apps: %r" % api.apps)
    check(any(g.id == PREFIX for g in client.list_groups()), "list_groups has %s" % PREFIX)


def scale_group():
    result = client.scale_group(STACK, 2)
    check(result.get("deploymentId"), "scale_group answered %r" % result)
    wait_for("every app of %s at 2 instances" % STACK, lambda: all(
        client.get_app(app_id).tasks_running == 2 for app_id in (STACK + "/db/store", STACK + "/api/server")
    ))


def update_group():
    group = client.get_group(STACK)
    api = [g for g in group.groups if g.id == STACK + "/api"][0]
    api.apps[0].instances = 1
    result = client.update_group(STACK + "/api", api, force=True)
    check(result.get("deploymentId"), "update_group answered %r" % result)
    wait_for("the api server back at 1", lambda: client.get_app(STACK + "/api/server").tasks_running == 1)


def rollback_group(state):
    result = client.rollback_group(STACK, state["group_version"], force=True)
    check(result.get("deploymentId"), "rollback_group answered %r" % result)
    wait_for("the store back at 1 instance", lambda: client.get_app(STACK + "/db/store").instances == 1)


def delete_group():
    result = client.delete_group(STACK, force=True)
    check(result.get("deploymentId"), "delete_group answered %r" % result)
    def gone():
        try:
            client.get_group(STACK)
        except NotFoundError:
            return True
        return False
    wait_for("%s gone" % STACK, gone)
    wait_for("no task of %s left" % STACK, lambda: not [t for t in client.list_tasks() if t.app_id.startswith(STACK + "/")])


def check_events():
    check(not stream_errors, "the event stream failed: %s" % stream_errors)
    check(all(isinstance(e, MarathonEvent) for e in events), "every event parsed into a model")
    seen = collections.Counter(e.event_type for e in events)
    say("events seen: %s" % json.dumps(dict(sorted(seen.items()))))
    for kind in (MarathonDeploymentInfo, MarathonDeploymentSuccess, MarathonStatusUpdateEvent, MarathonHealthStatusChangedEvent):
        check(any(isinstance(e, kind) for e in events), "no %s among %s" % (kind.__name__, dict(seen)))
    statuses = [e for e in events if isinstance(e, MarathonStatusUpdateEvent) and getattr(e, "app_id", None) == WEB]
    check(any(getattr(e, "task_status", None) == "TASK_RUNNING" for e in statuses), "TASK_RUNNING of %s" % WEB)
    infos = [e for e in events if isinstance(e, MarathonDeploymentInfo)]
    check(all(getattr(e, "plan", None) is not None for e in infos), "deployment_info carries a parsed plan")


def main():
    say("marathon-python %s on Python %s against %s" % (getattr(marathon, "__version__", "0.13.0"), sys.version.split()[0], MASTER))
    state = {}
    step("event_stream attaches", start_event_stream)
    step("get_info", get_info)
    step("get_leader", get_leader)
    step("create_app with an HTTP health check", create_web)
    step("get_app (healthy, every embed)", get_app)
    step("list_apps (embeds, id, cmd, label filters)", list_apps)
    step("scale_app to 2", scale_up)
    tasks = step("list_tasks and list_endpoints", list_tasks)
    if tasks:
        step("kill_task(scale=True)", lambda: kill_task_and_scale(tasks))
    step("update_app (rolling restart to a new version)", lambda: update_app(state))
    if "updated_version" in state:
        step("list_versions and get_version", lambda: versions(state))
        step("rollback_app", lambda: rollback(state))
    step("restart_app and list_deployments", restart_and_list_deployments)
    step("create_app of an app no agent can hold", create_queued)
    step("list_queue (also with embed_last_unused_offers)", list_queue)
    step("reset_delay", reset_delay)
    step("get_leader again", get_leader)
    step("create_group with a dependency", lambda: create_group(state))
    if "group_version" in state:
        step("get_group and list_groups", get_and_list_groups)
        step("scale_group by 2", scale_group)
        step("update_group (a subgroup, force)", update_group)
        step("rollback_group to its first version", lambda: rollback_group(state))
        step("delete_group", delete_group)
    # Its deployment cannot finish (no agent holds it) and locks it: as in Marathon, only force deletes it.
    step("delete_app(force=True) of the queued app", lambda: delete_app(HUGE, force=True))
    step("delete_app of the web app", lambda: delete_app(WEB))
    # The last events (the deletions' deployments) have had time to arrive while we waited.
    step("event_stream: parsed events across the scenario", check_events)
    if failures:
        say("SCENARIO FAILED: %d step(s): %s" % (len(failures), "; ".join(failures)))
        return 1
    say("SCENARIO OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
