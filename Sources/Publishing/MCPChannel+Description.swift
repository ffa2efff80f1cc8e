import Foundation

extension MCPChannel: CustomStringConvertible {
    /// The endpoint and flows; the key is never shown (`MCP_API_KEY`).
    public var description: String { "MCPChannel(endpoint: \(endpoint), apiKey: <redacted>, flows: \(flows.keys.sorted()))" }
}
