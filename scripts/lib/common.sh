# shellcheck shell=bash
# Shared helpers for the drsocial service scripts.
#
# Source it from bash:   . "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# Functions:
#   repo_root                 print the repository root (absolute path)
#   state_dir                 print the state dir ($DRSOCIAL_STATE_DIR or $REPO/.state)
#   log MSG...                print "[drsocial] MSG" to stderr
#   die MSG...                log + exit 1 (return 1 in an interactive shell)
#   ensure_packages [PKG...]  install the project's Debian packages (+ PKG...) if missing
#   ensure_packages_only PKG...  same, but only for the given packages
#   free_port                 print a free TCP port on 127.0.0.1
#   port_is_free PORT         true if PORT can be bound on 127.0.0.1
#   service_name_valid NAME   true if NAME is usable as an instance name
#   short_socket_dir DIR TAG  print DIR, or a short /tmp path if DIR is too long for a unix socket

if [[ -n "${_DRSOCIAL_COMMON_SH:-}" ]]; then
    return 0
fi
_DRSOCIAL_COMMON_SH=1

# Packages the project needs on Debian 12 (build deps, test deps and the
# private PostgreSQL / Dovecot servers).
DRSOCIAL_PACKAGES=(
    libavcodec-dev libavformat-dev libavutil-dev libswscale-dev
    libswresample-dev libavfilter-dev
    libtesseract-dev tesseract-ocr-eng tesseract-ocr
    libpocketsphinx-dev pocketsphinx-en-us
    libcurl4-openssl-dev libpq-dev libgmime-3.0-dev libass-dev flite1-dev fonts-dejavu-core
    postgresql dovecot-imapd
    ffmpeg flite sox pkg-config curl util-linux
    slowhttptest  # bench/slow-clients: slowloris and slow-body attacks on loopback
)

log() {
    printf '[drsocial] %s\n' "$*" >&2
}

die() {
    log "ERROR: $*"
    # Exit when run as a script; a sourcing interactive shell only gets a failure status.
    if [[ $- == *i* ]]; then
        return 1
    fi
    exit 1
}

repo_root() {
    if [[ -z "${_DRSOCIAL_REPO_ROOT:-}" ]]; then
        # scripts/lib/common.sh -> repo root is two levels up from this file's dir.
        _DRSOCIAL_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
    fi
    printf '%s\n' "$_DRSOCIAL_REPO_ROOT"
}

state_dir() {
    local d="${DRSOCIAL_STATE_DIR:-$(repo_root)/.state}"
    # Normalise to an absolute path (the directory may not exist yet).
    if [[ "$d" != /* ]]; then
        d="$PWD/$d"
    fi
    printf '%s\n' "${d%/}"
}

service_name_valid() {
    [[ "${1:-}" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] && [[ ${#1} -le 40 ]]
}

# Run a command as root: directly when we are root, else via `sudo -n`.
_as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        log "need root to run: $*"
        return 1
    fi
}

# Print the packages (from the arguments) that are not installed.
_missing_packages() {
    local pkg status
    for pkg in "$@"; do
        status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
        if [[ "$status" != "install ok installed" ]]; then
            printf '%s\n' "$pkg"
        fi
    done
}

ensure_packages_only() {
    (($# > 0)) || return 0
    if ! command -v dpkg-query >/dev/null 2>&1; then
        log "dpkg-query not found: not a Debian system, skipping package check for: $*"
        return 0
    fi
    local missing=()
    mapfile -t missing < <(_missing_packages "$@")
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    # One install at a time among our scripts (two runs on a fresh machine would otherwise race for apt's
    # locks); what the run before installed is not installed again.
    local lock="${TMPDIR:-/tmp}/drsocial-packages.lock" fd status=0
    { exec {fd}>>"$lock"; } 2>/dev/null || exec {fd}<"$lock" || { log "cannot open $lock"; return 1; }
    flock "$fd"
    mapfile -t missing < <(_missing_packages "$@")
    if ((${#missing[@]} > 0)); then
        log "installing missing packages: ${missing[*]}"
        if ! _apt_get update -qq; then
            log "apt-get update failed"
            status=1
        elif ! _apt_get install -y -qq --no-install-recommends "${missing[@]}"; then
            log "apt-get install failed for: ${missing[*]}"
            status=1
        else
            mapfile -t missing < <(_missing_packages "$@")
            if ((${#missing[@]} > 0)); then
                log "still missing after install: ${missing[*]}"
                status=1
            fi
        fi
    fi
    exec {fd}>&-
    return "$status"
}

# apt-get as root, waiting for apt's and dpkg's locks. apt takes them without waiting (`apt-get update` even
# ignores DPkg::Lock::Timeout), so a fresh machine's own apt-daily or unattended-upgrades, or another
# installer, would fail it at once with "Could not get lock". It is tried again while the lock is held, for as
# long as its holder runs (DRSOCIAL_APT_RETRY_SECONDS apart, default 5); any other failure is final.
_apt_get() {
    local output status waited=0 pause="${DRSOCIAL_APT_RETRY_SECONDS:-5}"
    while true; do
        status=0
        output="$(_as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 "$@" </dev/null 2>&1)" \
            || status=$?
        if ((status == 0)) || ! grep -q "Could not get lock" <<<"$output"; then
            [[ -z "$output" ]] || printf '%s\n' "$output" >&2
            return "$status"
        fi
        if ((waited == 0)); then
            log "apt is busy, waiting for its lock: $(grep -m1 "Could not get lock" <<<"$output")"
        fi
        waited=$((waited + 1))
        sleep "$pause"
    done
}

ensure_packages() {
    ensure_packages_only "${DRSOCIAL_PACKAGES[@]}" "$@"
}

_python3() {
    local py
    for py in python3 /usr/bin/python3; do
        if command -v "$py" >/dev/null 2>&1 && "$py" -c '' >/dev/null 2>&1; then
            "$py" "$@"
            return $?
        fi
    done
    return 127
}

free_port() {
    local port
    if port="$(_python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
' 2>/dev/null)" && [[ -n "$port" ]]; then
        printf '%s\n' "$port"
        return 0
    fi
    # Fallback without python3: probe random high ports for "nothing listening".
    local i
    for ((i = 0; i < 200; i++)); do
        port=$((20000 + RANDOM % 40000))
        if port_is_free "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    log "could not find a free port on 127.0.0.1"
    return 1
}

port_is_free() {
    local port="$1"
    if _python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# Like the servers do: TIME_WAIT leftovers must not count as "taken".
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
' "$port" 2>/dev/null; then
        return 0
    elif [[ $? -eq 1 ]]; then
        return 1
    fi
    # No python3: free if nothing accepts a connection.
    ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# Unix socket paths are limited to ~107 bytes. If DIR/<longest socket name>
# would not fit, use a stable short directory under /tmp instead.
short_socket_dir() {
    local dir="$1" tag="$2" reserve="${3:-32}"
    if (( ${#dir} + reserve < 100 )); then
        printf '%s\n' "$dir"
        return 0
    fi
    local sum
    sum="$(printf '%s' "$dir" | cksum | cut -d' ' -f1)"
    printf '/tmp/drsocial-%s-%s\n' "$tag" "$sum"
}

# Percent-encode a string for use inside a URL query value.
url_encode() {
    local s="$1"
    if [[ "$s" =~ ^[A-Za-z0-9._~/-]*$ ]]; then
        printf '%s\n' "$s"
    else
        _python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="/"))' "$s"
    fi
}

# Print "export VAR='value'" lines for the named variables (eval-safe).
print_exports() {
    local var val
    for var in "$@"; do
        val="${!var-}"
        printf "export %s='%s'\n" "$var" "${val//\'/\'\\\'\'}"
    done
}

# Is PID alive and is its executable named like one of the given names?
# (A zombie counts as dead: in containers pid 1 may reap orphans late.)
pid_alive() {
    local pid="$1" stat
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat:0:1}" != Z ]]
}

# The kernel's start time of PID (clock ticks since boot; field 22 of /proc/PID/stat), or nothing when it is
# gone. A PID and its start time name one process: a number reused by a later process has another start time.
pid_start_time() {
    local stat fields
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    read -r -a fields <<<"${stat##*) }"
    printf '%s
' "${fields[19]}"
}

# Is PID still the process that had START as its start time (and not a zombie)?
same_process_alive() {
    local pid="$1" start="$2"
    pid_alive "$pid" && [[ "$(pid_start_time "$pid")" == "$start" ]]
}

# SIGKILL each PID:START pair that is still that very process (never a later process that reused the number).
kill_same_processes() {
    local pair
    for pair in "$@"; do
        same_process_alive "${pair%%:*}" "${pair##*:}" && kill -KILL "${pair%%:*}" 2>/dev/null
    done
    return 0
}

# PID:START for each PID given, for the ones alive now.
with_start_times() {
    local pid start
    for pid in "$@"; do
        start="$(pid_start_time "$pid")" && printf '%s:%s\n' "$pid" "$start"
    done
    return 0
}

pid_is_cmd() {
    local pid="$1" name="$2" comm
    pid_alive "$pid" || return 1
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    [[ "$comm" == "$name"* ]]
}

# Make sure every component of PATH (which must exist) can be traversed by USER.
check_traversable() {
    local user="$1" path="$2"
    [[ $EUID -eq 0 ]] || return 0
    [[ "$user" == "$(id -un)" ]] && return 0
    if ! runuser -u "$user" -- test -x "$path" 2>/dev/null; then
        local p="$path" bad=""
        while [[ -n "$p" && "$p" != "/" ]]; do
            if ! runuser -u "$user" -- test -x "$p" 2>/dev/null; then
                bad="$p"
            fi
            p="$(dirname "$p")"
        done
        log "the OS user '$user' cannot reach $path (first blocked directory: ${bad:-?})."
        log "set DRSOCIAL_STATE_DIR to a directory under a world-traversable path (e.g. /tmp/drsocial-state) or chmod o+x the blocking directory."
        return 1
    fi
}

# Print the state directory of instance NAME (without creating it).
instance_path() {
    local name="$1"
    service_name_valid "$name" || { log "invalid instance name '$name' (use [A-Za-z0-9_.-], max 40 chars)"; return 1; }
    printf '%s/%s\n' "$(state_dir)" "$name"
}

# Create the state directory for instance NAME and print it.
instance_dir() {
    local name="$1" sd
    instance_path "$name" >/dev/null || return 1
    sd="$(state_dir)"
    mkdir -p "$sd/$name" || return 1
    # Other users (postgres, dovecot, nobody) must be able to traverse it.
    chmod 755 "$sd" "$sd/$name" 2>/dev/null || true
    printf '%s\n' "$sd/$name"
}

# Run a command that starts a daemon with every fd above 2 closed, so the daemon keeps no
# lock fd, no `$(...)` pipe and no test-harness pipe of its caller open.
run_closing_fds() {
    (
        fds=()
        for fd in /proc/$BASHPID/fd/*; do
            fd="${fd##*/}"
            [[ "$fd" =~ ^[0-9]+$ ]] && ((fd > 2)) && fds+=("$fd")
        done
        for fd in "${fds[@]}"; do
            { eval "exec $fd>&-"; } 2>/dev/null
        done
        if declare -F "$1" >/dev/null; then
            "$@"
            exit
        fi
        exec "$@"
    )
}

# Take an exclusive lock on FILE (fd 9), waiting up to TIMEOUT seconds.
# Children started while the lock is held must get `9>&-` so they do not keep it.
lock_acquire() {
    local file="$1" timeout="${2:-300}"
    exec 9>"$file" || return 1
    if ! flock -w "$timeout" 9; then
        log "timed out waiting for lock $file"
        exec 9>&-
        return 1
    fi
}

lock_release() {
    { exec 9>&-; } 2>/dev/null || true
}

# Run FUNCTION exactly once when the script ends, however it ends: normally, on an error, on Ctrl-C,
# TERM or HUP. While it runs, further INT/TERM/HUP are ignored, by the function and by the commands it
# starts (an ignored signal stays ignored across exec), so a second Ctrl-C cannot cut the clean-up short
# and leave a private PostgreSQL or Dovecot running. The script's exit status is kept (130 after Ctrl-C).
cleanup_at_exit() {
    _CLEANUP_FUNCTION="$1"
    trap _cleanup_run EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
}

_cleanup_run() {
    local status=$?
    trap '' INT TERM HUP
    trap - EXIT
    "$_CLEANUP_FUNCTION" || true
    exit "$status"
}

# SIGKILLs every process whose environment holds MARK (NAME=VALUE) exactly, other than this shell: what a
# run's processes started and left behind when one of them died without cleaning up (a test process that
# crashed, or that a sanitizer halted, leaves its chromedriver, Chromium and moto running). Run it after
# `unset NAME`, so that the commands it runs do not carry the mark themselves.
kill_marked() {
    local mark="$1" environ pid
    for environ in /proc/[0-9]*/environ; do
        pid="${environ#/proc/}"
        pid="${pid%/environ}"
        [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
        if grep -qzxF -- "$mark" "$environ" 2>/dev/null; then
            log "stopping $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-80)(pid $pid), left running by the run"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    return 0
}

# Wait up to SECONDS for PID to end, then SIGKILL it; WHAT names it in the log. The process is told apart
# by its start time, so a number the kernel gave to a new process meanwhile (this machine wraps at 32768
# and tests start many processes) is never waited for or killed.
wait_or_kill() {
    local pid="$1" seconds="$2" what="$3" i start
    start="$(pid_start_time "$pid")" || return 0
    for ((i = 0; i < seconds * 10; i++)); do
        same_process_alive "$pid" "$start" || return 0
        sleep 0.1
    done
    same_process_alive "$pid" "$start" || return 0
    log "$what $pid still alive after ${seconds}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
}

# Stop process PID (a child of this shell or not): TERM, then KILL after TIMEOUT seconds (default 20).
stop_process() {
    local pid="$1" timeout="${2:-20}"
    [[ -n "$pid" ]] && pid_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    wait_or_kill "$pid" "$timeout" process
    wait "$pid" 2>/dev/null || true
}
