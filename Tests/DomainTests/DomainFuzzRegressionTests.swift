import Domain
import Foundation
import Testing

/// Replays what `bench/fuzz media-sniff` found, through the fuzzer's own entry function (which checks
/// `FilenameSanitizer`'s promises and that a verdict depends on the first bytes only).
@Suite struct DomainFuzzRegressionTests {
    /// `Tests/Fuzz/regressions/media-sniff`, found from this file's path (this target has no TestSupport).
    static let folder = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Fuzz/regressions/media-sniff")

    @Test func sniffedInputsKeepTheirPromises() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(!names.isEmpty)
        for name in names {
            DomainFuzzing.sniff(Array(try Data(contentsOf: Self.folder.appending(path: name))))
        }
    }
}
