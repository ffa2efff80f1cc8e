public import Foundation
import Yams
public import JSON

/// How a platform's variants are published on the `device` channel, declared in
/// `pipelines/publish/<platform>.yaml` with `channel: device`: the capabilities of the WebDriver session, the
/// steps that drive the app, and the patterns that classify what goes wrong.
///
/// ```yaml
/// channel: device
/// app_url: "instagram://"          # {app_url} in the steps; DEVICE_APP_URL replaces it
/// capabilities: {platformName: Android, "appium:automationName": UiAutomator2}
/// step_timeout: 20                 # seconds a step waits for its element, unless it says otherwise
/// steps: [...]                     # DeviceStep
/// hard_block: ["restricted"]
/// soft_block: ["try again later"]
/// ```
///
/// Templates (step targets and texts, capability values) take `{identity}` and `{handle}` (the account's
/// handle), `{text}` (the caption with its hashtags), `{credential}` (the account's credential from its
/// vault_ref, empty without one) and `{app_url}`, filled in one pass, so a caption that contains `{handle}`
/// stays as written.
public struct DeviceFlow: Sendable, Equatable {
    public var platform: String
    /// The app's address for `{app_url}` (a deep link in production).
    public var appURL: String
    /// The session's `alwaysMatch` capabilities, before placeholders are filled.
    public var capabilities: [String: JSONValue]
    public var steps: [DeviceStep]
    /// Seconds a step waits for its element when it declares no `timeout` (default 20).
    public var stepTimeout: Double
    /// Lowercased substrings that make an error hard (the account is paused), checked first.
    public var hardBlock: [String]
    /// Lowercased substrings that make an error soft (retried with backoff).
    public var softBlock: [String]

    public init(
        platform: String,
        appURL: String,
        capabilities: [String: JSONValue],
        steps: [DeviceStep],
        stepTimeout: Double = 20,
        hardBlock: [String] = [],
        softBlock: [String] = []
    ) {
        self.platform = platform
        self.appURL = appURL
        self.capabilities = capabilities
        self.steps = steps
        self.stepTimeout = stepTimeout
        self.hardBlock = hardBlock.map { $0.lowercased() }
        self.softBlock = softBlock.map { $0.lowercased() }
    }

    // MARK: Loading

    /// Loads the `channel: device` files among `directory`'s `*.yaml` (`pipelines/publish`), keyed by platform
    /// (the file's name); the other channels' files are left to `PublishFlow`.
    public static func load(from directory: URL) throws -> [String: DeviceFlow] {
        var flows: [String: DeviceFlow] = [:]
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        for file in files where file.pathExtension == "yaml" {
            let text = try String(contentsOf: file, encoding: .utf8)
            guard (try Yams.load(yaml: text) as? [String: Any])?["channel"] as? String == "device" else { continue }
            let platform = file.deletingPathExtension().lastPathComponent
            flows[platform] = try parse(text, platform: platform, file: file.path)
        }
        return flows
    }

    /// Parses one device flow file; `file` names it in errors.
    public static func parse(_ text: String, platform: String, file: String) throws -> DeviceFlow {
        func fail(_ message: String) -> PublishFlowError { PublishFlowError(description: "\(file): \(message)") }
        guard let root = try Yams.load(yaml: text) as? [String: Any] else { throw fail("expected a mapping") }
        guard root["channel"] as? String == "device" else { throw fail("'channel' must be device") }
        if root["lookup"] != nil {
            throw fail("'lookup' is not supported on the device channel: it cannot reconcile yet, so leave it out")
        }
        let known: Set<String> = ["channel", "app_url", "capabilities", "step_timeout", "steps", "hard_block", "soft_block"]
        if let unknown = root.keys.first(where: { !known.contains($0) }) { throw fail("unknown key '\(unknown)'") }
        guard let appURL = root["app_url"] as? String, !appURL.isEmpty else { throw fail("'app_url' must be a URL or deep link") }
        var capabilities: [String: JSONValue] = [:]
        if let raw = root["capabilities"] {
            guard case .object(let members)? = JSONValue(any: raw) else { throw fail("'capabilities' must be a mapping of JSON values") }
            capabilities = members
        }
        var stepTimeout = 20.0
        if let raw = root["step_timeout"] {
            guard let seconds = (raw as? Double) ?? (raw as? Int).map(Double.init), seconds > 0 else {
                throw fail("'step_timeout' must be a positive number of seconds")
            }
            stepTimeout = seconds
        }
        guard let rawSteps = root["steps"] as? [Any], !rawSteps.isEmpty else { throw fail("'steps' must be a non-empty list") }
        let steps = try rawSteps.enumerated().map { index, raw in
            try DeviceStep.parse(raw) { fail("step \(index + 1): \($0)") }
        }
        try validate(steps, fail: fail)
        func patterns(_ key: String) throws -> [String] {
            guard let raw = root[key] else { return [] }
            guard let list = raw as? [String] else { throw fail("'\(key)' must be a list of strings") }
            return list
        }
        return DeviceFlow(
            platform: platform,
            appURL: appURL,
            capabilities: capabilities,
            steps: steps,
            stepTimeout: stepTimeout,
            hardBlock: try patterns("hard_block"),
            softBlock: try patterns("soft_block")
        )
    }

    /// One `confirm`; after it only `wait_for`, `read` and `tap` (a post is out, nothing more goes into it);
    /// a `read` into `post_id` after it, so that every publish answers with the platform's id.
    static func validate(_ steps: [DeviceStep], fail: (String) -> PublishFlowError) throws {
        let confirms = steps.indices.filter { if case .confirm = steps[$0] { true } else { false } }
        guard confirms.count == 1, let confirm = confirms.first else { throw fail("'steps' needs exactly one 'confirm' (the tap that publishes)") }
        for (offset, step) in steps[(confirm + 1)...].enumerated() {
            switch step {
            case .waitFor, .read, .tap: continue
            default: throw fail("step \(confirm + offset + 2): '\(step.verb)' cannot come after 'confirm'")
            }
        }
        let readsID = steps[(confirm + 1)...].contains { if case .read(_, .postID, _) = $0 { true } else { false } }
        guard readsID else { throw fail("'steps' needs a 'read' with 'into: post_id' after 'confirm'") }
    }

    // MARK: Using

    /// The error a message stands for, by the flow's patterns (hard first); nil when none matches.
    public func match(_ message: String) -> PublishError? {
        let folded = message.lowercased()
        if hardBlock.contains(where: { folded.contains($0) }) { return .hard(message) }
        if softBlock.contains(where: { folded.contains($0) }) { return .soft(message) }
        return nil
    }

    /// `template` with each `{name}` whose name is in `values` replaced, in one pass (a value is never filled
    /// again); other braces stay.
    public static func fill(_ template: String, _ values: [String: String]) -> String {
        var result = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            if let close = rest[open...].firstIndex(of: "}"), let value = values[String(rest[rest.index(after: open)..<close])] {
                result += value
                rest = rest[rest.index(after: close)...]
            } else {
                result.append("{")
                rest = rest[rest.index(after: open)...]
            }
        }
        return result + rest
    }
}
