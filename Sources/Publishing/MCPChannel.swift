public import Foundation
import Logging
import MCP

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `mcp` channel: a Model Context Protocol client over Streamable HTTP (modelcontextprotocol/swift-sdk),
/// calling the tool a platform's flow names (`LINKEDIN_CREATE_LINKED_IN_POST` on Composio). The key goes as
/// `Authorization: Bearer`. Composio answers `{"data": …, "error": …, "successful": true|false}` as the
/// tool's text; an MCP tool error (`isError`) fails the same way. Errors are classified by the flow.
public struct MCPChannel: PublishChannel {
    public let name = "mcp"
    /// Composio fetches media by URL (it also takes paths the server can read).
    public let takesMediaURLs = true
    let endpoint: URL
    let apiKey: String
    let flows: [String: PublishFlow]
    let timeoutSeconds: Double

    /// - Parameters:
    ///   - endpoint: `MCP_SERVER_URL`, the Streamable HTTP endpoint.
    ///   - apiKey: `MCP_API_KEY`.
    ///   - flows: the flows of the platforms on this channel, by platform.
    public init(endpoint: URL, apiKey: String, flows: [String: PublishFlow], timeoutSeconds: Double = 60) {
        self.endpoint = endpoint
        self.apiKey = apiKey
        self.flows = flows.filter { $0.value.channel == "mcp" }
        self.timeoutSeconds = timeoutSeconds
    }

    public func publish(_ post: PublishRequest) async throws -> PublishReceipt {
        let flow = try self.flow(for: post)
        let answer = try await call(flow.tool, arguments(flow.arguments, post), key: post.credential?.value ?? apiKey, flow: flow)
        guard let data = answer["data"] as? [String: Any], let id = (data["id"] as? String) ?? (data["post_id"] as? String) else {
            throw PublishError.failed("the backend answered without a post id: \(Self.describe(answer))")
        }
        return PublishReceipt(postID: id, url: data["url"] as? String)
    }

    public func find(_ post: PublishRequest) async throws -> PublishReceipt? {
        let flow = try self.flow(for: post)
        guard let tool = flow.lookupTool, let field = flow.lookupMatch, case .text(let template)? = flow.arguments[field] else {
            throw PublishError.cannotReconcile("the \(post.platform) flow has no lookup")
        }
        let answer = try await call(tool, arguments(flow.lookupArguments, post), key: post.credential?.value ?? apiKey, flow: flow)
        let posts = (answer["data"] as? [String: Any])?["posts"] as? [[String: Any]] ?? []
        let ours = PublishFlow.fill(template, post)
        guard let found = posts.last(where: { $0[field] as? String == ours }), let id = found["id"] as? String else { return nil }
        return PublishReceipt(postID: id, url: found["url"] as? String)
    }

    func flow(for post: PublishRequest) throws -> PublishFlow {
        guard let flow = flows[post.platform] else {
            throw PublishError.notConfigured("no MCP publish flow for \(post.platform) (pipelines/publish/\(post.platform).yaml)")
        }
        return flow
    }

    func arguments(_ templates: [String: PublishFlow.Argument], _ post: PublishRequest) -> [String: Value] {
        templates.mapValues { argument in
            switch argument {
            case .media: .array(post.media.map { .string($0) })
            case .text(let template): .string(PublishFlow.fill(template, post))
            }
        }
    }

    /// One tool call on a fresh session with `key` (the account's credential, else `MCP_API_KEY`): the Composio
    /// answer as a dictionary, or a classified error.
    func call(_ tool: String, _ arguments: [String: Value], key: String, flow: PublishFlow) async throws -> [String: Any] {
        let transport = HTTPClientTransport(
            endpoint: endpoint,
            streaming: false,
            requestModifier: { request in
                var request = request
                request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
                request.timeoutInterval = 60
                return request
            },
            logger: Logger(label: "drsocial.mcp", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let client = Client(name: "drsocial-publisher", version: "1.0")
        defer { Task { await client.disconnect() } }
        let result: (content: [Tool.Content], isError: Bool?)
        do {
            result = try await withDeadline(timeoutSeconds) {
                _ = try await client.connect(transport: transport)
                return try await client.callTool(name: tool, arguments: arguments)
            }
        } catch let error as PublishError {
            throw error
        } catch {
            throw flow.classify("the MCP server could not be used: \(error)")
        }
        let text = result.content.compactMap { content -> String? in
            if case .text(let text, _, _) = content { return text }
            return nil
        }.joined()
        if result.isError == true { throw flow.classify("the tool \(tool) failed: \(text.prefix(300))") }
        guard let answer = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw PublishError.failed("the tool \(tool) answered what is not JSON: \(text.prefix(300))")
        }
        if answer["successful"] as? Bool == false {
            throw flow.classify("the tool \(tool) was not successful: \(answer["error"] as? String ?? Self.describe(answer))")
        }
        return answer
    }

    func withDeadline<T: Sendable>(_ seconds: Double, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw PublishError.soft("the MCP server did not answer within \(Int(seconds)) s (timeout)")
            }
            return value
        }
    }

    static func describe(_ answer: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: answer)) ?? Data(), as: UTF8.self).prefix(300).description
    }
}
