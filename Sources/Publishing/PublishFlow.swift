public import Foundation
import Yams

/// How a platform's variants become calls on their channel, declared in `pipelines/publish/<platform>.yaml`:
/// the MCP tool and its arguments (with `{identity}`, `{text}` and `{media}` placeholders), the lookup that
/// reconciles an attempt whose answer was lost, and the patterns that classify the backend's errors.
public struct PublishFlow: Sendable, Equatable {
    /// A value of an argument: text with placeholders, or the media list.
    public enum Argument: Sendable, Equatable {
        case text(String)
        case media
    }

    public var platform: String
    public var channel: String
    public var tool: String
    public var arguments: [String: Argument]
    public var lookupTool: String?
    public var lookupArguments: [String: Argument]
    /// The field of a listed post compared with the argument of the same name.
    public var lookupMatch: String?
    public var hardBlock: [String]
    public var softBlock: [String]

    /// Loads every `*.yaml` in `directory` (`pipelines/publish`), keyed by platform (the file's name).
    public static func load(from directory: URL) throws -> [String: PublishFlow] {
        var flows: [String: PublishFlow] = [:]
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        for file in files where file.pathExtension == "yaml" {
            let platform = file.deletingPathExtension().lastPathComponent
            flows[platform] = try parse(try String(contentsOf: file, encoding: .utf8), platform: platform, file: file.path)
        }
        return flows
    }

    /// Parses one flow file; `file` names it in errors.
    public static func parse(_ text: String, platform: String, file: String) throws -> PublishFlow {
        func fail(_ message: String) -> PublishFlowError { PublishFlowError(description: "\(file): \(message)") }
        guard let root = try Yams.load(yaml: text) as? [String: Any] else { throw fail("expected a mapping") }
        let known: Set<String> = ["channel", "tool", "arguments", "lookup", "hard_block", "soft_block", "steps", "app_url", "capabilities", "step_timeout"]
        if let unknown = root.keys.first(where: { !known.contains($0) }) { throw fail("unknown key '\(unknown)'") }
        guard let channel = root["channel"] as? String, ["mcp", "device"].contains(channel) else {
            throw fail("'channel' must be mcp or device")
        }
        func arguments(_ value: Any?, _ what: String) throws -> [String: Argument] {
            guard let value else { return [:] }
            guard let mapping = value as? [String: Any] else { throw fail("'\(what)' must be a mapping") }
            return try mapping.mapValues { raw in
                guard let text = raw as? String else { throw fail("'\(what)' values must be strings") }
                return text == "{media}" ? .media : .text(text)
            }
        }
        let lookup = root["lookup"] as? [String: Any]
        return PublishFlow(
            platform: platform,
            channel: channel,
            tool: root["tool"] as? String ?? "",
            arguments: try arguments(root["arguments"], "arguments"),
            lookupTool: lookup?["tool"] as? String,
            lookupArguments: try arguments(lookup?["arguments"], "lookup.arguments"),
            lookupMatch: lookup?["match"] as? String,
            hardBlock: (root["hard_block"] as? [String] ?? []).map { $0.lowercased() },
            softBlock: (root["soft_block"] as? [String] ?? []).map { $0.lowercased() }
        )
    }

    /// The error a backend's message stands for, by the flow's patterns (hard first).
    public func classify(_ message: String) -> PublishError {
        let folded = message.lowercased()
        if hardBlock.contains(where: { folded.contains($0) }) { return .hard(message) }
        if softBlock.contains(where: { folded.contains($0) }) { return .soft(message) }
        return .failed(message)
    }

    /// An argument with its placeholders filled for `post`.
    public static func fill(_ template: String, _ post: PublishRequest) -> String {
        template.replacingOccurrences(of: "{identity}", with: post.handle)
            .replacingOccurrences(of: "{text}", with: post.text)
            .replacingOccurrences(of: "{handle}", with: post.handle)
    }
}

/// A publish flow file that cannot be used.
public struct PublishFlowError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
