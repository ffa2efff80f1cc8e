import Foundation
import TestSupport
import Testing

/// The scripts' package install (`ensure_packages_only` in scripts/lib/common.sh), against stand-ins for
/// `apt-get` and `dpkg-query`: a fresh machine's own apt run, or a second run of ours installing at the same
/// time, holds apt's locks, and apt-get fails at once on a held lock. CI starts on such a machine.
struct PackageInstallTests {
    /// A stand-in for apt-get: `update` fails on apt's lock while `busy-updates` counts down; `install` logs
    /// itself, notes an install that overlaps another, and marks its packages installed; a call naming the
    /// package `broken` fails as apt does on a package it does not know.
    static let aptGet = #"""
        #!/bin/bash
        set -u
        echo "$*" >> "$STATE/calls"
        case " $* " in
        *" broken "*)
            echo "E: Unable to locate package broken" >&2
            exit 100;;
        *" update "*)
            n=$(cat "$STATE/busy-updates" 2>/dev/null || echo 0)
            if ((n > 0)); then
                echo $((n - 1)) > "$STATE/busy-updates"
                echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2
                exit 100
            fi;;
        *" install "*)
            mkdir "$STATE/installing" 2>/dev/null || echo overlap >> "$STATE/overlaps"
            sleep 0.5
            for p in "$@"; do [[ "$p" == fake-* ]] && touch "$STATE/installed-$p"; done
            rmdir "$STATE/installing" 2>/dev/null;;
        esac
        exit 0
        """#
    static let dpkgQuery = #"""
        #!/bin/bash
        [[ -e "$STATE/installed-${!#}" ]] && printf 'install ok installed' || exit 1
        """#

    /// Runs `body` (shell, after sourcing common.sh, with the stand-ins first on PATH and `_as_root` running
    /// its command directly) with `busyUpdates` update calls failing on the lock; returns the exit status and
    /// the state folder.
    func run(_ body: String, busyUpdates: Int = 0) throws -> (status: Int32, state: URL) {
        let folder = FileManager.default.temporaryDirectory.appending(path: "package-install-\(UUID().uuidString.prefix(8))")
        let bin = folder.appending(path: "bin")
        let state = folder.appending(path: "state")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        for (name, text) in [("apt-get", Self.aptGet), ("dpkg-query", Self.dpkgQuery)] {
            let file = bin.appending(path: name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        try "\(busyUpdates)".write(to: state.appending(path: "busy-updates"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(filePath: "/bin/bash")
        process.arguments = [
            "-c",
            """
            set -euo pipefail
            cd '\(TestEnvironment.repositoryRoot.path)'
            . scripts/lib/common.sh
            _as_root() { "$@"; }
            \(body)
            """,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["STATE"] = state.path
        environment["TMPDIR"] = folder.path  // the install lock's folder
        environment["DRSOCIAL_APT_RETRY_SECONDS"] = "0.05"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, state)
    }

    func lines(_ file: URL) -> [String] {
        ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func aHeldAptLockIsWaitedFor() throws {
        let (status, state) = try run("ensure_packages_only fake-a fake-b", busyUpdates: 3)
        defer { try? FileManager.default.removeItem(at: state.deletingLastPathComponent()) }
        #expect(status == 0)
        let calls = lines(state.appending(path: "calls"))
        #expect(calls.filter { $0.contains("update") }.count == 4, "\(calls)")
        #expect(calls.filter { $0.contains("install") }.count == 1, "\(calls)")
        #expect(FileManager.default.fileExists(atPath: state.appending(path: "installed-fake-b").path))
    }

    @Test func twoRunsInstallOneAfterTheOtherAndOnce() throws {
        let (status, state) = try run(
            """
            ensure_packages_only fake-a & first=$!
            ensure_packages_only fake-a & second=$!
            wait "$first"; wait "$second"
            """
        )
        defer { try? FileManager.default.removeItem(at: state.deletingLastPathComponent()) }
        #expect(status == 0)
        let calls = lines(state.appending(path: "calls"))
        #expect(calls.filter { $0.contains("install") }.count == 1, "the second run installed again: \(calls)")
        #expect(lines(state.appending(path: "overlaps")).isEmpty, "two installs ran at once")
    }

    @Test func anotherAptFailureIsFinal() throws {
        let (status, state) = try run("ensure_packages_only fake-a broken")
        defer { try? FileManager.default.removeItem(at: state.deletingLastPathComponent()) }
        #expect(status != 0)
        #expect(lines(state.appending(path: "calls")).filter { $0.contains("install") }.count == 1)
    }

    @Test func nothingMissingRunsNoApt() throws {
        let (status, state) = try run("touch \"$STATE/installed-fake-a\"; ensure_packages_only fake-a")
        defer { try? FileManager.default.removeItem(at: state.deletingLastPathComponent()) }
        #expect(status == 0)
        #expect(lines(state.appending(path: "calls")).isEmpty)
    }
}
