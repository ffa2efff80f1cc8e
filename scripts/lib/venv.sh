# The project's Python venv (PyPI packages for tests and benchmarks) under the state folder.
#   ensure_venv   # installs what is missing; prints the venv's python
# Selenium drives the real-browser test, the Anthropic SDK checks the fake LLM router, the MCP SDK runs the
# MCP server the publisher posts to (and the bench's peer client).

ensure_venv() {
    local venv
    venv="$(state_dir)/browser-venv"
    if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import selenium, anthropic, mcp' 2>/dev/null; then
        log "installing Selenium, the Anthropic SDK and the MCP SDK from PyPI into $venv"
        python3 -m venv "$venv" && "$venv/bin/pip" install -q selenium anthropic mcp >&2 \
            || die "could not install selenium, anthropic and mcp from PyPI"
    fi
    printf '%s\n' "$venv/bin/python"
}
