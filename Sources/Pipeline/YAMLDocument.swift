import Foundation
import Yams

/// A parsed YAML file that reports problems with the file's name and the offending node's line.
struct YAMLDocument {
    let file: String
    let root: Node

    init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw PipelineConfigurationError(file: url.path, line: nil, message: "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(text: text, file: url.path)
    }

    init(text: String, file: String) throws {
        self.file = file
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw PipelineConfigurationError(file: file, line: Self.line(of: error), message: "not valid YAML: \(error)")
        }
        guard let node else { throw PipelineConfigurationError(file: file, line: nil, message: "the file is empty") }
        root = node
    }

    func error(_ message: String, at node: Node?) -> PipelineConfigurationError {
        PipelineConfigurationError(file: file, line: node?.mark?.line, message: message)
    }

    /// The mapping at `node`, refusing keys outside `allowed`.
    func mapping(_ node: Node, what: String, allowed: Set<String>? = nil) throws -> Node.Mapping {
        guard let mapping = node.mapping else { throw error("\(what) must be a mapping", at: node) }
        if let allowed {
            for (key, _) in mapping {
                guard let name = key.string, allowed.contains(name) else {
                    let known = allowed.sorted().joined(separator: ", ")
                    throw error("unknown key '\(key.string ?? "?")' in \(what) (known: \(known.isEmpty ? "none" : known))", at: key)
                }
            }
        }
        return mapping
    }

    func string(_ mapping: Node.Mapping, _ key: String, in what: String, required: Bool = true, at node: Node) throws -> String? {
        guard let value = mapping[key] else {
            if required { throw error("\(what) needs '\(key)'", at: node) }
            return nil
        }
        guard let text = value.string, value.scalar != nil else { throw error("'\(key)' must be a string", at: value) }
        return text
    }

    /// Decodes a node with `YAMLDecoder`, turning decoding errors into file:line errors.
    func decode<T: Decodable>(_ type: T.Type, from node: Node, what: String) throws -> T {
        do {
            return try YAMLDecoder().decode(T.self, from: node)
        } catch let decoding as DecodingError {
            throw error("\(what): \(Self.describe(decoding))", at: node)
        } catch {
            throw self.error("\(what): \(error)", at: node)
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map(\.stringValue).filter { !$0.isEmpty }
            return keys.isEmpty ? "" : "'\(keys.joined(separator: "."))': "
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return path(context) + context.debugDescription
        case .keyNotFound(let key, let context):
            return path(context) + "missing option '\(key.stringValue)'"
        @unknown default:
            return "\(error)"
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}
