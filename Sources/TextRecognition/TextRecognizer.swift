public import Contracts
import Foundation
public import Media

/// OCR through libtesseract with preprocessing for caption text: find the bands where one colour gathers
/// like a line of text, keep only that colour, upscale small text, and let Tesseract read each band; the
/// whole picture is read too, for ordinary dark-on-light text, and overlapping readings keep the more
/// confident one. One Tesseract instance, on the calling thread.
public final class TextRecognizer {
    /// Readings below this mean confidence are dropped.
    public static let minimumConfidence = 60.0

    private let tesseract: Tesseract

    /// One Tesseract per recognizer. Tesseract's OpenMP threads only add overhead here (measured): run it
    /// with `OMP_THREAD_LIMIT=1` in the environment, as the media worker does. Library code never calls
    /// `setenv`: racing another thread's `getenv` (a child process being spawned) corrupts the heap.
    public init() throws {
        tesseract = try Tesseract()
    }

    /// Reads the text of a picture file (image, or a video's first frame).
    public func recognize(path: String, limits: MediaLimits) throws -> RecognizedText {
        _ = try MediaProber(limits: limits).probe(path: path)
        return recognize(try FrameGrabber.firstPicture(path: path, limits: limits))
    }

    public func recognize(_ image: RGBImage) -> RecognizedText {
        var readings: [RecognizedText.Block] = []
        for band in CaptionBoxFinder.boxes(in: image) + CaptionBandFinder.bands(in: image) {
            let rules: [CaptionMasker.Rule] = band.isBox ? [.colorDistance] : CaptionMasker.Rule.allCases
            let best =
                rules
                .map {
                    read(
                        CaptionMasker.mask(image, band: band, rule: $0),
                        method: band.isBox ? "caption box \(band.colorHex)" : "caption \(band.colorHex)"
                    )
                }
                .compactMap { $0 }
                .max { $0.confidence < $1.confidence }
            if let best { readings.append(best) }
        }
        let page = TextMask(gray: image.luma(), width: image.width, height: image.height, originX: 0, originY: 0, scale: 1, margin: 0)
        if let whole = read(page, method: "page", mode: .automatic) { readings.append(whole) }

        // Keep the most confident of readings that overlap (the same caption read two ways).
        var kept: [RecognizedText.Block] = []
        for reading in readings.sorted(by: { $0.confidence > $1.confidence })
        where !kept.contains(where: { Self.overlap($0, reading) > 0.5 }) {
            kept.append(reading)
        }
        return RecognizedText(blocks: kept.sorted { ($0.y, $0.x) < ($1.y, $1.x) }, width: image.width, height: image.height)
    }

    /// One Tesseract pass over a mask; nil when it found nothing confident.
    private func read(_ mask: TextMask, method: String, mode: Tesseract.SegmentationMode = .block) -> RecognizedText.Block? {
        let words = tesseract.recognize(gray: mask.gray, width: mask.width, height: mask.height, mode: mode)
            .filter { $0.text.contains { $0.isLetter || $0.isNumber } }
        guard !words.isEmpty else { return nil }
        let confidence = words.map(\.confidence).reduce(0, +) / Double(words.count)
        guard confidence >= Self.minimumConfidence else { return nil }
        let left = words.map(\.left).min()!
        let top = words.map(\.top).min()!
        let right = words.map(\.right).max()!
        let bottom = words.map(\.bottom).max()!
        func source(_ value: Int, _ origin: Int) -> Int { origin + max(0, value - mask.margin) / mask.scale }
        let x = source(left, mask.originX)
        let y = source(top, mask.originY)
        return RecognizedText.Block(
            text: words.map(\.text).joined(separator: " "),
            confidence: (confidence * 10).rounded() / 10,
            x: x,
            y: y,
            width: source(right, mask.originX) - x,
            height: source(bottom, mask.originY) - y,
            method: method
        )
    }

    /// Vertical overlap of two blocks over the shorter one's height (horizontal too when they share rows).
    static func overlap(_ a: RecognizedText.Block, _ b: RecognizedText.Block) -> Double {
        let rows = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
        let columns = min(a.x + a.width, b.x + b.width) - max(a.x, b.x)
        guard rows > 0, columns > 0 else { return 0 }
        return Double(rows) / Double(max(1, min(a.height, b.height)))
    }
}
