import Foundation
import Publishing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A real `chromedriver` (Debian's chromium-driver, a W3C WebDriver server like the device hub) on a free
/// loopback port, headless chromium behind it.
final class ChromeDriverProcess: @unchecked Sendable {
    static let executable = "/usr/bin/chromedriver"

    /// The capabilities that make the shipped flows run in headless chromium, as `DEVICE_HUB_CAPABILITIES`.
    static let capabilitiesJSON =
        #"{"browserName":"chrome","goog:chromeOptions":{"binary":"/usr/bin/chromium","args":["--headless=new","--no-sandbox","--disable-gpu","--disable-dev-shm-usage"]}}"#

    let port: Int
    private let process: Process

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    /// Starts chromedriver and waits until `GET /status` says it is ready. The wait has a generous bound (60 s)
    /// that only a chromedriver that never gets ready reaches; one that exits (its port taken meanwhile) is
    /// started again on another port.
    static func start() async throws -> ChromeDriverProcess {
        var lastProblem = ""
        for _ in 0..<5 {
            let port = try LoopbackPort.free()
            let process = Process()
            process.executableURL = URL(filePath: executable)
            process.arguments = ["--port=\(port)"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let driver = ChromeDriverProcess(port: port, process: process)
            let client = WebDriverClient(hub: driver.url, token: nil, commandTimeoutSeconds: 10)
            let started = ContinuousClock.now
            while process.isRunning, ContinuousClock.now - started < .seconds(60) {
                if (try? await client.isReady()) == true { return driver }
                try await Task.sleep(for: .milliseconds(100))
            }
            lastProblem = process.isRunning ? "not ready after 60 s" : "exited \(process.terminationStatus)"
            driver.stop()
        }
        throw MissingService(name: "chromedriver (\(lastProblem))")
    }

    /// The processes chromedriver started that are still running (the browsers of sessions not deleted).
    func children() -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            // After the command's closing parenthesis: state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && fields[0] != "Z" && Int32(fields[1]) == process.processIdentifier
        }
    }

    func stop() {
        guard process.isRunning else { return }
        // SIGKILL: reliable. The sessions were deleted before (a browser left behind fails the test), but a
        // failed test's browser must not outlive it either.
        for browser in children() { kill(browser, SIGKILL) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
