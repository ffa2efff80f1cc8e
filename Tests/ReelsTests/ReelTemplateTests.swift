import Foundation
import Pipeline
import Reels
import TestSupport
import Testing

/// The templates in `pipelines/reels` load, cover the four placements, and bad ones are refused with a reason.
struct ReelTemplateTests {
    @Test func theFourPlacementsHaveTheirSizes() throws {
        let expected: [String: (Int, Int)] = [
            "tiktok": (1080, 1920), "instagram-reels": (1080, 1920), "instagram-feed": (1080, 1350), "linkedin": (1080, 1080),
        ]
        for (name, size) in expected {
            let template = try #require(ReelFixtures.templates[name], "missing template \(name)")
            #expect((template.width, template.height) == size, "\(name)")
            #expect(template.maxSeconds <= ReelFixtures.platforms[template.platform].maxVideoSeconds)
        }
    }

    @Test(arguments: [
        ("width: 1081", "width and height must be even"),
        ("max_seconds: 9999", "max_seconds must be positive and at most"),
        ("reframe: stretch", "reframe"),
        ("fps: 0", "fps must be from 1 to 60"),
        ("colour_depth: 10", "colour_depth"),
    ])
    func badTemplatesAreRefusedWithTheReason(change: String, message: String) throws {
        let original = try String(contentsOf: TestEnvironment.pipelinesDirectory.appending(path: "reels/tiktok.yaml"), encoding: .utf8)
        let key = String(change.prefix { $0 != ":" })
        var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let index = lines.firstIndex(where: { $0.hasPrefix(key + ":") }) { lines[index] = change } else { lines.append(change) }
        #expect {
            _ = try ReelTemplates.parse(text: lines.joined(separator: "\n"), file: "tiktok.yaml", platforms: ReelFixtures.platforms)
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("tiktok.yaml")
        }
    }
}
