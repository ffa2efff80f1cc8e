import Contracts
import Foundation
import TestSupport
import Testing

@testable import Media
@testable import TextRecognition

/// A warm media child keeps one Tesseract for every picture it reads: what it reads must not depend on what
/// it read before.
struct TextRecognizerReuseTests {
    @Test func aRecognizerUsedBeforeReadsEachPictureAsANewOneDoes() throws {
        let pictures = ["caption-plain.png", "caption-yellow-bars.png", "caption-white-texture.png", "pattern.png"]
        func read(_ name: String, with recognizer: TextRecognizer) throws -> RecognizedText {
            try recognizer.recognize(path: TestEnvironment.testmedia(name).path, limits: MediaLimits(), budget: TextRecognitionTests.budget)
        }
        let fresh = try pictures.map { try read($0, with: TextRecognizer()) }
        let reused = try TextRecognizer()
        for index in pictures.indices.reversed() + pictures.indices {
            let reading = try read(pictures[index], with: reused)
            #expect(reading == fresh[index], "\(pictures[index]): read '\(reading.text)' after other pictures, '\(fresh[index].text)' first")
        }
    }
}
