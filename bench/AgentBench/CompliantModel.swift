import Foundation
import LLMRouterFake

/// The fake router's answers: a model that follows the tool schemas (as `compliantModel` in
/// Tests/WorkersTests/LLMDraftingTests.swift), with captions of a realistic length. `submit_variants` gets
/// one variant per account listed in `<request_data>`, `submit_verdicts` an `allow` per variant listed in
/// `<variants_data>`; both pass the agents' validation, so no call needs a repair round trip.
enum CompliantModel {
    static func reply(_ request: FakeLLMRouter.RecordedRequest) -> FakeLLMRouter.Reply {
        guard let json = request.json, let tool = (json["tools"] as? [[String: Any]])?.first?["name"] as? String else {
            return .message(.text("no tools?"))
        }
        let data = userData(json) ?? [:]
        switch tool {
        case "submit_variants":
            let variants = (data["accounts"] as? [[String: Any]] ?? []).map { account -> [String: Any] in
                let platform = account["platform"] as? String ?? "?"
                return ["account_id": account["account_id"] ?? "", "caption": caption(platform), "hashtags": ["#StudioNorth", "#PodcastLife", "#OpenHouse"]]
            }
            return .message(.tool(name: tool, inputJSON: jsonText(["variants": variants]), inputTokens: 1450, outputTokens: 310))
        case "submit_verdicts":
            let verdicts = (data["variants"] as? [[String: Any]] ?? []).map { variant -> [String: Any] in
                ["account_id": variant["account_id"] ?? "", "verdict": "allow", "reason": "On brand; no claims, no private information."]
            }
            return .message(.tool(name: tool, inputJSON: jsonText(["verdicts": verdicts]), inputTokens: 820, outputTokens: 95))
        default:
            return .message(.text("unknown tool"))
        }
    }

    /// About 330 characters, the length of a real caption.
    static func caption(_ platform: String) -> String {
        """
        Our new recording room is ready, and we would love to show it to you. Treated walls, a vocal booth for \
        two and a big window for morning sessions. Open house this Saturday from 10 to 4: try the microphones, \
        have a coffee and ask us anything about starting a podcast. Book a session that day and your first \
        hour is on us. (\(platform))
        """
    }

    /// The JSON inside the first user message's `<request_data>` or `<variants_data>` block.
    static func userData(_ json: [String: Any]) -> [String: Any]? {
        guard let messages = json["messages"] as? [[String: Any]], let first = messages.first(where: { $0["role"] as? String == "user" }) else {
            return nil
        }
        let text = (first["content"] as? String) ?? (first["content"] as? [[String: Any]])?.compactMap { $0["text"] as? String }.joined() ?? ""
        for tag in ["request_data", "variants_data"] {
            guard let start = text.range(of: "<\(tag)>\n"), let end = text.range(of: "\n</\(tag)>") else { continue }
            return try? JSONSerialization.jsonObject(with: Data(text[start.upperBound..<end.lowerBound].utf8)) as? [String: Any]
        }
        return nil
    }

    static func jsonText(_ value: Any) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
