# The project's Python venv (PyPI packages for tests and benchmarks) under the state folder.
#   ensure_venv   # installs what is missing; prints the venv's python
# Selenium drives the real-browser test, the Anthropic SDK checks the fake LLM router, the MCP SDK runs the
# MCP server the publisher posts to (and the bench's peer client), moto's server is the S3 store the S3 client
# tests talk to and boto3's signer is their SigV4 reference.

ensure_venv() {
    local venv
    venv="$(state_dir)/browser-venv"
    if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import selenium, anthropic, mcp, moto.server, boto3' 2>/dev/null; then
        log "installing Selenium, the Anthropic SDK, the MCP SDK, moto and boto3 from PyPI into $venv"
        python3 -m venv "$venv" && "$venv/bin/pip" install -q selenium anthropic mcp 'moto[server]' boto3 >&2 \
            || die "could not install selenium, anthropic, mcp, moto[server] and boto3 from PyPI"
    fi
    printf '%s\n' "$venv/bin/python"
}
