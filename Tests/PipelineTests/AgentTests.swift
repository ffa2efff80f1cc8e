import Domain
import Foundation
import Pipeline
import TestSupport
import Testing

@testable import Agents

@Suite struct NeverSayModeratorTests {
    @Test func matchesWholeWordsCaseInsensitively() {
        let moderator = NeverSayModerator(neverSay: ["fast fashion", "ass", "Café"])
        #expect(moderator.firstHit(in: "No more FAST FASHION for me") == "fast fashion")
        #expect(moderator.firstHit(in: "A class act, classic") == nil)
        #expect(moderator.firstHit(in: "what an ass.") == "ass")
        #expect(moderator.firstHit(in: "le cafe du coin") == "cafe")
        #expect(moderator.firstHit(in: "#fastfashion") == nil)
        #expect(moderator.firstHit(in: "") == nil)
    }
}

@Suite struct OfflineContentAgentTests {
    let presets = try! PlatformPresets.load(from: TestEnvironment.pipelinesDirectory.appending(path: "platforms.yaml"))

    @Test func captionsRespectEachPlatformsLimits() {
        let tags = (1...40).map { "#tag\($0)" }
        let body = String(repeating: "word ", count: 1000)
        for platform in Platform.allCases {
            let preset = presets[platform]
            let hashtags = Array(OfflineContentAgent.normalisedHashtags(tags).prefix(preset.hashtagLimit))
            let caption = OfflineContentAgent.fit(body: body, hashtags: hashtags, limit: preset.captionLimit)
            #expect(PostText.length(caption: caption, hashtags: hashtags) <= preset.captionLimit)
            #expect(hashtags.count <= preset.hashtagLimit)
            // Hashtags are shown once: beside the caption, not in it.
            #expect(!caption.contains("#tag"))
        }
    }

    @Test func hashtagsAreNormalised() {
        #expect(OfflineContentAgent.normalisedHashtags(["Studio Life", "#studiolife", "##Run", " ", "#ok!"]) == ["#StudioLife", "#Run", "#ok"])
    }
}

@Suite struct PartialToolInputTests {
    @Test func captionsAreReadFromJSONCutAnywhere() {
        let json = ##"{"variants":[{"account_id":"a1","caption":"Morning run \"by\" the river\n","hashtags":["#run"]},{"account_id":"b2","caption":"Caf\u00e9 op"##
        let found = PartialToolInput.strings(named: ["account_id", "caption"], in: json)
        #expect(found.map(\.0) == ["account_id", "caption", "account_id", "caption"])
        #expect(found.map(\.1) == ["a1", "Morning run \"by\" the river\n", "b2", "Café op"])
        // Every prefix parses without trapping, and what it finds only grows.
        var previous = 0
        for cut in json.indices {
            let count = PartialToolInput.strings(named: ["caption"], in: String(json[..<cut])).count
            #expect(count >= previous)
            previous = count
        }
    }
}
