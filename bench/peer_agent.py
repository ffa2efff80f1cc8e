#!/usr/bin/env python3
"""The peer of drsocial-bench-agent: the same two calls per request through the official `anthropic` SDK.

    peer_agent.py throughput BASE_URL API_KEY REQUESTS_JSON N IN_FLIGHT[,IN_FLIGHT...]
    peer_agent.py memory     BASE_URL API_KEY REQUESTS_JSON N IN_FLIGHT

REQUESTS_JSON holds the two bodies drsocial's client sent (written by `drsocial-bench-agent --write-requests`):
the draft call (`submit_variants`) and the moderation call (`submit_verdicts`). For each request the peer
sends the same model string, system, tools, tool_choice and max_tokens, with a user message built the same
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

    def call(self, template, text):
        started = time.perf_counter()
        message = self.client.messages.create(
            model=template["model"],
            max_tokens=template["max_tokens"],
            system=template["system"],
            tools=template["tools"],
            tool_choice=template["tool_choice"],
            messages=[{"role": "user", "content": [{"type": "text", "text": text}]}],
        )
        elapsed = time.perf_counter() - started
        calls = [block for block in message.content if block.type == "tool_use" and block.name == template["tool_choice"]["name"]]
        if not calls:
            raise RuntimeError("the answer did not call %s" % template["tool_choice"]["name"])
        return calls[0].input, elapsed

    def request(self, index):
        """Draft, then moderation; returns the two calls' wall times."""
        brief = copy.deepcopy(self.brief)
        brief["request"]["prompt"] = brief["request"].get("prompt", "") + " (request %d)" % index
        text = "<request_data>\n" + escaped(brief) + "\n</request_data>\n\nDraft one variant for each account now."
        drafted, draft_seconds = self.call(self.draft, text)
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
        """Runs `count` requests, `in_flight` at a time; returns (per-request seconds, per-call seconds, failures)."""
        requests, calls, failures = [], [], [0]

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
            calls.extend(times)

        if in_flight == 1:
            for index in range(count):
                one(index)
        else:
            with ThreadPoolExecutor(max_workers=in_flight) as pool:
                list(pool.map(one, range(count)))
        return requests, calls, failures[0]


def raw_round_trips(agent, calls, in_flight):
    """The same bytes POSTed with a bare httpx2 client and the SDK's headers, the answer read but not parsed."""
    client = httpx2.Client(trust_env=False, timeout=30)
    headers = {
        "anthropic-version": "2023-06-01",
        "x-api-key": agent.api_key,
        "content-type": "application/json",
        "accept": "application/json",
    }
    times = []

    def one(index):
        started = time.perf_counter()
        response = client.post(agent.base_url + "/v1/messages", content=agent.raw_bodies[index % 2], headers=headers)
        response.read()
        if response.status_code == 200:
            times.append(time.perf_counter() - started)

    if in_flight == 1:
        for index in range(calls):
            one(index)
    else:
        with ThreadPoolExecutor(max_workers=in_flight) as pool:
            list(pool.map(one, range(calls)))
    client.close()
    return times


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, -(-int(p * len(ordered)) // 100) - 1))
    return ordered[index]


def throughput(agent, count, in_flights):
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
                prefix + "send_p50_ms": percentile(calls, 50) * 1000,
                prefix + "send_p95_ms": percentile(calls, 95) * 1000,
                prefix + "send_mean_ms": statistics.fmean(calls) * 1000,
                prefix + "raw_p50_ms": percentile(raw, 50) * 1000,
                prefix + "raw_p95_ms": percentile(raw, 95) * 1000,
                prefix + "raw_mean_ms": statistics.fmean(raw) * 1000,
                prefix + "beyond_raw_p50_ms": (percentile(calls, 50) - percentile(raw, 50)) * 1000,
                prefix + "beyond_raw_mean_ms": (statistics.fmean(calls) - statistics.fmean(raw)) * 1000,
                prefix + "agent_beyond_raw_p50_ms": (percentile(requests, 50) / 2 - percentile(raw, 50)) * 1000,
                prefix + "cpu_per_call_ms": cpu / max(1, len(calls)) * 1000,
                prefix + "raw_cpu_per_call_ms": raw_cpu / max(1, len(raw)) * 1000,
            }
        )
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
