#!/usr/bin/env python3
"""Checks the fake LLM router (Tests/LLMRouterFake) with the official `anthropic` Python SDK.

    check-fake-llm-router.py BASE_URL API_KEY

Tests/LLMRouterFakeTests/AnthropicSDKTests.swift starts the fake and scripts one reply per scenario, chosen by
the user message "scenario:NAME" that each check below sends. For each scenario this prints one JSON line,
{"scenario": NAME, "ok": true, ...what the SDK parsed} or {"scenario": NAME, "ok": false, "error": ...}, for the
Swift test to compare with what it scripted, and it exits 1 when any scenario failed.

The SDK builds its objects without validating them (a missing field only shows when it is read), so every
message, stream event and model is also validated strictly against the SDK's own pydantic types.
"""

import json
import sys
import traceback

import anthropic
import pydantic
from anthropic.types import Message, ModelInfo, RawMessageStreamEvent

MODEL = "claude-sonnet-4-5-fake"
RAW_EVENTS = {"message_start", "message_delta", "message_stop", "content_block_start", "content_block_delta", "content_block_stop"}
RAW_EVENT = pydantic.TypeAdapter(RawMessageStreamEvent)
TOOLS = [
    {
        "name": "draft_post",
        "description": "Drafts a social media post.",
        "input_schema": {"type": "object", "properties": {"caption": {"type": "string"}}, "required": ["caption"]},
    }
]


def ask(scenario, **extra):
    """The parameters of a request for one scenario."""
    return dict(model=MODEL, max_tokens=256, messages=[{"role": "user", "content": f"scenario:{scenario}"}], **extra)


def usage(message):
    return {"input_tokens": message.usage.input_tokens, "output_tokens": message.usage.output_tokens}


def streamed(stream):
    """Reads a `messages.stream` to its end: the text deltas, the tool JSON pieces and the raw event types."""
    texts, partials, events = [], [], []
    for event in stream:
        if event.type == "text":
            texts.append(event.text)
        elif event.type == "input_json":
            partials.append(event.partial_json)
        if event.type in RAW_EVENTS:
            RAW_EVENT.validate_python(event.to_dict())
            events.append(event.type)
    return texts, partials, events


def buffered_text(client, base_url, api_key):
    raw = client.messages.with_raw_response.create(**ask("buffered_text"))
    Message.model_validate(raw.http_response.json())
    message = raw.parse()
    assert message.content[0].type == "text", message.content
    return {
        "id": message.id, "type": message.type, "role": message.role, "model": message.model,
        "text": message.content[0].text, "stop_reason": message.stop_reason,
        "stop_sequence": message.stop_sequence, **usage(message),
    }


def buffered_tool(client, base_url, api_key):
    message = client.messages.create(**ask("buffered_tool", tools=TOOLS))
    Message.model_validate(message.to_dict())
    block = message.content[0]
    assert block.type == "tool_use", message.content
    assert isinstance(block.input, dict), type(block.input)
    return {"id": block.id, "name": block.name, "input": block.input, "stop_reason": message.stop_reason, **usage(message)}


def stream_text(client, base_url, api_key):
    with client.messages.stream(**ask("stream_text")) as stream:
        texts, _, events = streamed(stream)
        message = stream.get_final_message()
    Message.model_validate(message.to_dict())
    assert message.content[0].type == "text", message.content
    assert "".join(texts) == message.content[0].text, (texts, message.content[0].text)
    return {
        "deltas": texts, "text": message.content[0].text, "model": message.model, "events": events,
        "stop_reason": message.stop_reason, **usage(message),
    }


def stream_tool(client, base_url, api_key):
    with client.messages.stream(**ask("stream_tool", tools=TOOLS)) as stream:
        texts, partials, events = streamed(stream)
        message = stream.get_final_message()
    Message.model_validate(message.to_dict())
    assert [block.type for block in message.content] == ["text", "tool_use"], message.content
    tool = message.content[1]
    assert isinstance(tool.input, dict), type(tool.input)
    assert json.loads("".join(partials)) == tool.input, (partials, tool.input)
    return {
        "deltas": texts, "text": message.content[0].text, "partials": partials, "id": tool.id, "name": tool.name,
        "input": tool.input, "events": events, "stop_reason": message.stop_reason, **usage(message),
    }


def models(client, base_url, api_key):
    page = client.models.list()
    for model in page.data:
        ModelInfo.model_validate(model.to_dict())
    return {
        "ids": [model.id for model in page.data], "display_names": [model.display_name for model in page.data],
        "created_at": [model.created_at.isoformat() for model in page.data], "has_more": page.has_more,
        "first_id": page.first_id, "last_id": page.last_id,
    }


def failure(error):
    """What an SDK error carries."""
    body = error.body if isinstance(error.body, dict) else {}
    return {
        "class": type(error).__name__, "status": error.status_code, "type": body.get("error", {}).get("type"),
        "message": body.get("error", {}).get("message"), "retry_after": error.response.headers.get("retry-after"),
        "is_internal_server_error": isinstance(error, anthropic.InternalServerError),
    }


def rate_limit(client, base_url, api_key):
    try:
        client.messages.create(**ask("rate_limit"))
    except anthropic.RateLimitError as error:
        return failure(error)
    raise AssertionError("no RateLimitError")


def overloaded(client, base_url, api_key):
    try:
        client.messages.create(**ask("overloaded"))
    except anthropic.APIStatusError as error:
        assert error.status_code == 529, error.status_code
        return failure(error)
    raise AssertionError("no APIStatusError")


def stream_error(client, base_url, api_key):
    texts = []
    try:
        with client.messages.stream(**ask("stream_error")) as stream:
            for event in stream:
                if event.type == "text":
                    texts.append(event.text)
    except anthropic.APIStatusError as error:
        return {"deltas": texts, **failure(error)}
    raise AssertionError("the stream ended without an error")


def timeout(client, base_url, api_key):
    try:
        client.with_options(timeout=1.0).messages.create(**ask("timeout"))
    except anthropic.APITimeoutError as error:
        return {"class": type(error).__name__}
    raise AssertionError("no APITimeoutError")


def wrong_key(client, base_url, api_key):
    other = anthropic.Anthropic(base_url=base_url, api_key="wrong-key", max_retries=0)
    try:
        other.messages.create(**ask("wrong_key"))
    except anthropic.AuthenticationError as error:
        return failure(error)
    raise AssertionError("no AuthenticationError")


def bearer(client, base_url, api_key):
    other = anthropic.Anthropic(base_url=base_url, auth_token=api_key, max_retries=0)
    message = other.messages.create(**ask("bearer"))
    return {"text": message.content[0].text}


SCENARIOS = [
    buffered_text, buffered_tool, stream_text, stream_tool, models, rate_limit, overloaded, stream_error, timeout,
    wrong_key, bearer,
]


def main():
    base_url, api_key = sys.argv[1], sys.argv[2]
    client = anthropic.Anthropic(base_url=base_url, api_key=api_key, max_retries=0, timeout=60.0)
    failed = 0
    for scenario in SCENARIOS:
        try:
            line = {"scenario": scenario.__name__, "ok": True, **scenario(client, base_url, api_key)}
        except Exception:
            failed += 1
            line = {"scenario": scenario.__name__, "ok": False, "error": traceback.format_exc()}
        print(json.dumps(line), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
