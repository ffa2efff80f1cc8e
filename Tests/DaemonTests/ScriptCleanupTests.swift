import Foundation
import TestSupport
import Testing

/// The scripts' clean-up (`cleanup_at_exit` in scripts/lib/common.sh): a script that started a private
/// PostgreSQL stops it however it ends, even on repeated signals or a failing exit status. CI relies on it
/// to leave nothing running.
@Suite(.serialized)
struct ScriptCleanupTests {
    /// One line of the script's output (without its newline); empty at the end of the output.
    func readLine(_ output: Pipe) -> String {
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    /// Starts a script that starts a PostgreSQL of its own, registers its clean-up (which prints CLEANING
    /// first), prints the postmaster's pid and then does `ending` (a shell command); returns the script, its
    /// output and that pid.
    func startScript(ending: String) throws -> (Process, Pipe, pid_t) {
        let instance = "cleanup-test-\(UUID().uuidString.prefix(8))"
        let script = """
            set -euo pipefail
            cd '\(TestEnvironment.repositoryRoot.path)'
            . scripts/lib/common.sh
            . scripts/lib/postgres.sh
            cleanup() { echo CLEANING; pg_stop '\(instance)' >/dev/null 2>&1 || true; rm -rf "$(state_dir)/\(instance)"; }
            cleanup_at_exit cleanup
            pg_start '\(instance)' >/dev/null 2>&1
            echo "READY $(head -1 "$(state_dir)/\(instance)/pg/data/postmaster.pid")"
            \(ending)
            """
        let process = Process()
        // The test runner's children start with SIGTERM and SIGINT ignored, and a shell cannot trap a signal
        // ignored at its start: `env --default-signal` gives the script the defaults a terminal would.
        process.executableURL = URL(filePath: "/usr/bin/env")
        process.arguments = ["--default-signal=TERM,INT,HUP", "/bin/bash", "-c", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = readLine(output)
        let pid = try #require(text.hasPrefix("READY ") ? pid_t(text.dropFirst(6)) : nil, "the script said: \(text)")
        return (process, output, pid)
    }

    /// Whether `pid` is still a running (not zombie) process, after waiting up to `seconds` for it to end.
    func stillRunning(_ pid: pid_t, after seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard kill(pid, 0) == 0 else { return false }
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let state = stat.split(separator: ")").last?.split(separator: " ").first, state == "Z"
            {
                return false
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return true
    }

    @Test(.enabled(if: TestEnvironment.available(FileManager.default.fileExists(atPath: "/usr/lib/postgresql"))))
    func repeatedSignalsStillStopPostgreSQL() throws {
        // A loop of short foreground sleeps: it never ends by itself, and leaves no child holding the
        // runner's pipes once the script is gone.
        let (script, output, postmaster) = try startScript(ending: "while true; do sleep 0.2; done")
        kill(script.processIdentifier, SIGTERM)
        // The next signals arrive while the clean-up runs: they must not cut it short.
        #expect(readLine(output) == "CLEANING")
        kill(script.processIdentifier, SIGTERM)
        kill(script.processIdentifier, SIGINT)
        kill(script.processIdentifier, SIGHUP)
        let deadline = Date().addingTimeInterval(180)
        while script.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if script.isRunning {
            kill(script.processIdentifier, SIGKILL)
            Issue.record("the script did not end on SIGTERM")
        }
        script.waitUntilExit()
        #expect(script.terminationStatus == 143)
        #expect(!stillRunning(postmaster, after: 60), "PostgreSQL \(postmaster) outlived its script")
    }

    /// Inside a trap handler, and in every function it calls, a bare `return` (or `|| return`) returns the
    /// status from before the trap, not that of the last command. The clean-up runs in the EXIT trap, so any
    /// such `return` in a helper it reaches makes that helper fail after an error or a signal (as `_pg_bin`
    /// once did, leaving PostgreSQL running). Every `return` in the scripts names its status.
    @Test func noScriptReturnsWithoutAStatus() throws {
        let root = TestEnvironment.repositoryRoot
        let files =
            ["scripts/demo", "scripts/test", "scripts/services", "scripts/send-mail"]
            + (try FileManager.default.contentsOfDirectory(atPath: root.appending(path: "scripts/lib").path))
            .filter { $0.hasSuffix(".sh") }.map { "scripts/lib/\($0)" }
        let bare = try Regex(#"\breturn\s*($|[;})&|#])"#)
        var found: [String] = []
        for file in files {
            let text = try String(contentsOf: root.appending(path: file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") && line.contains(bare) {
                found.append("\(file):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(found.isEmpty, "bare return (write return 0, return 1 or return $?):\n\(found.joined(separator: "\n"))")
    }

    @Test(.enabled(if: TestEnvironment.available(FileManager.default.fileExists(atPath: "/usr/lib/postgresql"))))
    func aFailingScriptStopsPostgreSQL() throws {
        let (script, _, postmaster) = try startScript(ending: "false")
        script.waitUntilExit()
        #expect(script.terminationStatus == 1)
        #expect(!stillRunning(postmaster, after: 60), "PostgreSQL \(postmaster) outlived its script")
    }

    /// `kill_marked`, which scripts/test's clean-up runs: processes the run started and left behind (a test process
    /// that crashed leaves its chromedriver, Chromium and moto) carry the run's mark in their environment and are
    /// stopped; a process without the mark is left alone.
    @Test func whatARunLeftRunningIsStoppedByItsMark() throws {
        let value = "run-\(UUID().uuidString.prefix(8))"
        let script = """
            set -euo pipefail
            cd '\(TestEnvironment.repositoryRoot.path)'
            . scripts/lib/common.sh
            export DRSOCIAL_CLEANUP_TEST='\(value)'
            cleanup() { unset DRSOCIAL_CLEANUP_TEST; kill_marked 'DRSOCIAL_CLEANUP_TEST=\(value)'; echo CLEANED; }
            cleanup_at_exit cleanup
            sleep 600 </dev/null >/dev/null 2>&1 &
            echo "MARKED $!"
            env -u DRSOCIAL_CLEANUP_TEST sleep 600 </dev/null >/dev/null 2>&1 &
            echo "UNMARKED $!"
            """
        let process = Process()
        process.executableURL = URL(filePath: "/bin/bash")
        process.arguments = ["-c", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let marked = readLine(output)
        let unmarked = readLine(output)
        // The clean-up says when it is done; the script's exit would not: its children hold descriptors Foundation
        // waits on, so it is seen to end only when the unmarked sleep does.
        #expect(readLine(output) == "CLEANED")
        let markedPID = try #require(marked.hasPrefix("MARKED ") ? pid_t(marked.dropFirst(7)) : nil, "the script said: \(marked)")
        let unmarkedPID = try #require(unmarked.hasPrefix("UNMARKED ") ? pid_t(unmarked.dropFirst(9)) : nil, "the script said: \(unmarked)")
        let markedLeft = stillRunning(markedPID, after: 60)
        #expect(!markedLeft, "the marked process \(markedPID) outlived its run")
        if markedLeft { kill(markedPID, SIGKILL) }
        #expect(stillRunning(unmarkedPID, after: 0.5), "a process without the mark was stopped")
        kill(unmarkedPID, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
