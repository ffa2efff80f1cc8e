#!/usr/bin/env python3
"""The peer of drsocial-bench-agent: the same two calls per request through the official `anthropic` SDK.

    peer_agent.py throughput BASE_URL API_KEY REQUESTS_JSON N IN_FLIGHT[,IN_FLIGHT...]
    peer_agent.py memory     BASE_URL API_KEY REQUESTS_JSON N IN_FLIGHT

REQUESTS_JSON holds the two bodies drsocial's client sent (written by `drsocial-bench-agent --write-requests`):
the draft call (`submit_variants`) and the moderation call (`submit_verdicts`). For each request the peer
sends the same model string, system, tools, tool_choice and max_tokens, streamed where drsocial's call was (the
draft: `messages.stream`, a live-view line built from each `input_json` snapshot), with a user message built the same
way (the brief's JSON in a <request_data> block, the prompt numbered per request; then the drafted variants
in a <variants_data> block), checks that every account got a variant and then a verdict, like the Swift side,
and times each `messages.create`. Requests run one at a time, then on a thread pool (one shared client).

`throughput` also POSTs the same bytes with a bare httpx2 client (the SDK's own HTTP library) for the floor
under a call. `memory` reports peak RSS growth (VmHWM after a reset, and VmRSS sampled every 10 ms) while the
requests run IN_FLIGHT at a time. Prints one JSON object.
"""

import copy
import json
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import anthropic
import httpx2


def extract(text, tag):
    """The JSON inside `<tag>\\n...\\n</tag>`."""
    start = text.index("<%s>\n" % tag) + len(tag) + 3
    return json.loads(text[start : text.index("\n</%s>" % tag)])


def escaped(document):
    """Compact JSON with sorted keys and `<`, `>`, `&` escaped, as DraftPrompt writes its data block."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Progress:
    """Keeps the latest live-view line (drsocial hands each one to an actor that writes the latest every 500 ms)."""

    def __init__(self):
        self.latest, self.reports = None, 0

    def offer(self, text):
        if text:
            self.latest, self.reports = text, self.reports + 1


class Agent:
    def __init__(self, base_url, api_key, requests_path):
        with open(requests_path) as handle:
            captured = json.load(handle)
        self.raw_bodies = [captured["draft"].encode(), captured["moderation"].encode()]
        self.draft = json.loads(captured["draft"])
        self.moderation = json.loads(captured["moderation"])
        self.brief = extract(self.draft["messages"][0]["content"][0]["text"], "request_data")
        self.talent = extract(self.moderation["messages"][0]["content"][0]["text"], "variants_data")["talent"]
        self.accounts = {account["account_id"]: account for account in self.brief["accounts"]}
        # The SDK's own default client (its limits, timeouts, keep-alive); only proxies from the environment are
        # ignored, so that nothing leaves 127.0.0.1.
        self.client = anthropic.Anthropic(
            base_url=base_url, api_key=api_key, timeout=120, http_client=anthropic.DefaultHttpxClient(trust_env=False)
        )
        self.base_url, self.api_key = base_url, api_key

    def call(self, template, text, live_view=True):
        """One call; streamed when drsocial's was (the draft), with a live view built from each delta."""
        started = time.perf_counter()
        params = dict(
            model=template["model"],
            max_tokens=template["max_tokens"],
            system=template["system"],
            tools=template["tools"],
            tool_choice=template["tool_choice"],
            messages=[{"role": "user", "content": [{"type": "text", "text": text}]}],
        )
        if template.get("stream"):
            progress = Progress()
            with self.client.messages.stream(**params) as stream:
                for event in stream:
                    if live_view and event.type == "input_json":
                        progress.offer(self.live_view(event.snapshot))
                message = stream.get_final_message()
        else:
            message = self.client.messages.create(**params)
        elapsed = time.perf_counter() - started
        calls = [block for block in message.content if block.type == "tool_use" and block.name == template["tool_choice"]["name"]]
        if not calls:
            raise RuntimeError("the answer did not call %s" % template["tool_choice"]["name"])
        return calls[0].input, elapsed

    def live_view(self, snapshot):
        """The draft so far, as the run page shows it: each account's caption as the model writes it."""
        lines = []
        for variant in (snapshot or {}).get("variants") or []:
            if isinstance(variant, dict) and variant.get("caption"):
                account = self.accounts.get(variant.get("account_id"))
                lines.append((account["platform"] + " @" + account["handle"] + ": " if account else "") + variant["caption"])
        return "drafting… " + " | ".join(lines) if lines else None

    def draft_text(self, index):
        brief = copy.deepcopy(self.brief)
        brief["request"]["prompt"] = brief["request"].get("prompt", "") + " (request %d)" % index
        return "<request_data>\n" + escaped(brief) + "\n</request_data>\n\nDraft one variant for each account now."

    def request(self, index):
        """Draft, then moderation; returns the two calls' wall times."""
        drafted, draft_seconds = self.call(self.draft, self.draft_text(index))
        variants = drafted.get("variants") or []
        ids = [variant.get("account_id") for variant in variants]
        if sorted(ids) != sorted(self.accounts) or not all(variant.get("caption", "").strip() for variant in variants):
            raise RuntimeError("drafted variants do not match the accounts")
        judged = [
            {
                "account_id": variant["account_id"],
                "platform": self.accounts[variant["account_id"]]["platform"],
                "caption": variant["caption"],
                "hashtags": variant["hashtags"],
                "media": "video",
            }
            for variant in variants
        ]
        text = "<variants_data>\n" + escaped({"talent": self.talent, "variants": judged}) + "\n</variants_data>\n\nGive one verdict for each variant now."
        verdicts, moderation_seconds = self.call(self.moderation, text)
        if sorted(verdict.get("account_id") for verdict in verdicts.get("verdicts") or []) != sorted(self.accounts):
            raise RuntimeError("the verdicts do not cover the variants")
        return draft_seconds, moderation_seconds

    def run_many(self, count, in_flight):
        """Runs `count` requests, `in_flight` at a time; returns (per-request seconds, per-call seconds by
        purpose, failures)."""
        requests, calls, failures = [], {"draft": [], "moderation": []}, [0]

        def one(index):
            started = time.perf_counter()
            try:
                times = self.request(index)
            except Exception as error:  # noqa: BLE001 — counted, and the first one is shown
                if failures[0] == 0:
                    print("peer: request failed: %r" % error, file=sys.stderr)
                failures[0] += 1
                return
            requests.append(time.perf_counter() - started)
            calls["draft"].append(times[0])
            calls["moderation"].append(times[1])

        if in_flight == 1:
            for index in range(count):
                one(index)
        else:
            with ThreadPoolExecutor(max_workers=in_flight) as pool:
                list(pool.map(one, range(count)))
        return requests, calls, failures[0]


def raw_round_trips(agent, calls, in_flight, bodies=None):
    """The same bytes POSTed with a bare httpx2 client and the SDK's headers, the answer read but not parsed."""
    client = httpx2.Client(trust_env=False, timeout=30)
    headers = {
        "anthropic-version": "2023-06-01",
        "x-api-key": agent.api_key,
        "content-type": "application/json",
        "accept": "application/json",
    }
    bodies = bodies or agent.raw_bodies
    streamed = [b'"stream":true' in body for body in bodies]
    times = [[], []]

    def one(index, bodies=agent.raw_bodies):
        started = time.perf_counter()
        body = index % 2
        accept = {"accept": "text/event-stream"} if streamed[body] else {}
        response = client.post(agent.base_url + "/v1/messages", content=bodies[body], headers={**headers, **accept})
        response.read()
        if response.status_code == 200:
            times[body].append(time.perf_counter() - started)

    if in_flight == 1:
        for index in range(calls):
            one(index, bodies)
    else:
        with ThreadPoolExecutor(max_workers=in_flight) as pool:
            list(pool.map(lambda index: one(index, bodies), range(calls)))
    client.close()
    return times


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, -(-int(p * len(ordered)) // 100) - 1))
    return ordered[index]


def throughput(agent, count, in_flights, breakdown_calls=100):
    results = {"requests": count}
    agent.run_many(20, 1)
    raw_round_trips(agent, 40, 1)
    for k in in_flights:
        cpu, started = time.process_time(), time.perf_counter()
        requests, calls, failures = agent.run_many(count, k)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        raw_cpu = time.process_time()
        raw = raw_round_trips(agent, 2 * count, k)
        raw_cpu = time.process_time() - raw_cpu
        prefix = "k%d_" % k
        results.update(
            {
                prefix + "requests_per_second": len(requests) / wall,
                prefix + "failures": failures,
                prefix + "request_p50_ms": percentile(requests, 50) * 1000,
                prefix + "request_beyond_raw_p50_ms": (percentile(requests, 50) - percentile(raw[0], 50) - percentile(raw[1], 50)) * 1000,
                prefix + "cpu_per_request_ms": cpu / max(1, len(requests)) * 1000,
                prefix + "raw_cpu_per_request_ms": raw_cpu / max(1, min(len(raw[0]), len(raw[1]))) * 1000,
            }
        )
        for body, purpose in enumerate(["draft", "moderation"]):
            sent, floor, name = calls[purpose], raw[body], prefix + purpose + "_"
            results.update(
                {
                    name + "send_p50_ms": percentile(sent, 50) * 1000,
                    name + "send_p95_ms": percentile(sent, 95) * 1000,
                    name + "raw_p50_ms": percentile(floor, 50) * 1000,
                    name + "raw_p95_ms": percentile(floor, 95) * 1000,
                    name + "beyond_raw_p50_ms": (percentile(sent, 50) - percentile(floor, 50)) * 1000,
                    name + "beyond_raw_mean_ms": (statistics.fmean(sent) - statistics.fmean(floor)) * 1000,
                }
            )
    # Where a streamed draft call's CPU goes, one call at a time (as drsocial-bench-agent's breakdown).
    calls = breakdown_calls

    def cpu_per_call(call):
        before = time.process_time()
        for index in range(calls):
            call(index)
        return (time.process_time() - before) / calls * 1000

    text = agent.draft_text(0)
    buffered = {key: value for key, value in agent.draft.items() if key != "stream"}
    buffered_body = agent.raw_bodies[0].replace(b'"stream":true,', b"")
    results["draft_cpu_agent_ms"] = cpu_per_call(lambda index: agent.call(agent.draft, text))
    results["draft_cpu_streamed_no_view_ms"] = cpu_per_call(lambda index: agent.call(agent.draft, text, live_view=False))
    results["draft_cpu_buffered_ms"] = cpu_per_call(lambda index: agent.call(buffered, text))
    for name, body in (("streamed", agent.raw_bodies[0]), ("buffered", buffered_body)):
        before = time.process_time()
        raw_round_trips(agent, calls, 1, [body, body])
        results["draft_cpu_raw_%s_ms" % name] = (time.process_time() - before) / calls * 1000
    results["breakdown_calls"] = calls
    return results


def status():
    with open("/proc/self/status") as handle:
        text = handle.read()
    return tuple(int(re.search(r"^%s:\s+(\d+)" % name, text, re.M).group(1)) for name in ("VmRSS", "VmHWM"))


def memory(agent, count, k):
    agent.run_many(20, 1)
    time.sleep(0.2)
    before = status()[0]
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        reset = True
    except OSError:
        reset = False
    highest, running = [0], [True]

    def sample():
        while running[0]:
            highest[0] = max(highest[0], status()[0])
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    requests, _, failures = agent.run_many(count, k)
    wall = time.perf_counter() - started
    running[0] = False
    sampler.join()
    rss, hwm = status()
    peak = max(highest[0], hwm if reset else 0)
    return {
        "in_flight": k,
        "requests": count,
        "failures": failures,
        "requests_per_second": len(requests) / wall,
        "rss_before_kib": before,
        "rss_peak_kib": peak,
        "rss_after_kib": rss,
        "growth_kib": peak - before,
        "growth_per_in_flight_kib": (peak - before) / k,
        "peak_reset": 1 if reset else 0,
    }


def main():
    mode, base_url, api_key, requests_path, count, in_flight = sys.argv[1:7]
    if not base_url.startswith("http://127.0.0.1:"):
        sys.exit("peer_agent.py: the router must be on 127.0.0.1")
    agent = Agent(base_url, api_key, requests_path)
    if mode == "throughput":
        result = throughput(agent, int(count), [int(k) for k in in_flight.split(",")])
    else:
        result = memory(agent, int(count), int(in_flight))
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
