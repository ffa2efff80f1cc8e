import Foundation

extension FakeLLMRouter {
    /// A responder that answers drsocial's two tools as a well-behaved model would: `submit_variants` with a
    /// caption per account of the brief (`Router caption for <platform>`, one hashtag), and `submit_verdicts`
    /// with `verdicts[platform]` (allow for the rest). Works in both wire formats.
    public static func compliantModel(verdicts: [String: (String, String)] = [:]) -> @Sendable (RecordedRequest) -> Reply {
        { request in
            guard let tool = toolName(request) else { return .message(.text("no tools?")) }
            let data = userData(request) ?? [:]
            switch tool {
            case "submit_variants":
                let accounts = data["accounts"] as? [[String: Any]] ?? []
                let variants = accounts.map { account -> [String: Any] in
                    ["account_id": account["account_id"] ?? "", "caption": "Router caption for \(account["platform"] ?? "?")", "hashtags": ["#RouterTag"]]
                }
                return .message(.tool(name: tool, inputJSON: jsonText(["variants": variants]), inputTokens: 900, outputTokens: 120))
            case "submit_verdicts":
                let variants = data["variants"] as? [[String: Any]] ?? []
                let judged = variants.map { variant -> [String: Any] in
                    let (verdict, reason) = verdicts[variant["platform"] as? String ?? ""] ?? ("allow", "")
                    return ["account_id": variant["account_id"] ?? "", "verdict": verdict, "reason": reason]
                }
                return .message(.tool(name: tool, inputJSON: jsonText(["verdicts": judged]), inputTokens: 400, outputTokens: 60))
            default: return .message(.text("unknown tool"))
            }
        }
    }

    /// The one tool offered, in either shape (`name`, or OpenAI's `function.name`).
    public static func toolName(_ request: RecordedRequest) -> String? {
        guard let tool = (request.json?["tools"] as? [[String: Any]])?.first else { return nil }
        return tool["name"] as? String ?? (tool["function"] as? [String: Any])?["name"] as? String
    }

    /// The JSON inside the first user message's `<request_data>` or `<variants_data>` block.
    public static func userData(_ request: RecordedRequest) -> [String: Any]? {
        guard let text = userText(request) else { return nil }
        for tag in ["request_data", "variants_data"] {
            guard let start = text.range(of: "<\(tag)>\n"), let end = text.range(of: "\n</\(tag)>") else { continue }
            return try? JSONSerialization.jsonObject(with: Data(text[start.upperBound..<end.lowerBound].utf8)) as? [String: Any]
        }
        return nil
    }

    /// The first user message's text, in either shape.
    public static func userText(_ request: RecordedRequest) -> String? {
        guard let messages = request.json?["messages"] as? [[String: Any]], let first = messages.first(where: { $0["role"] as? String == "user" })
        else { return nil }
        if let text = first["content"] as? String { return text }
        return (first["content"] as? [[String: Any]])?.compactMap { $0["text"] as? String }.joined()
    }

    /// Compact JSON text of a JSONSerialization value.
    public static func jsonText(_ value: Any) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: value)) ?? Data("null".utf8), as: UTF8.self)
    }
}
