public import Contracts
import Foundation
public import Media

/// OCR through libtesseract with preprocessing for caption text: find the bands where one colour gathers
/// like a line of text, keep only that colour, upscale small text, and let Tesseract read each band; the
/// whole picture is read too, for ordinary dark-on-light text, and overlapping readings keep the more
/// confident one. Each picture is held to an `OCRBudget` by Tesseract's progress monitor, and a picture
/// where the caption search finds nothing is read whole only when it is not dense texture
/// (`PageTexture`). One Tesseract instance, on the calling thread.
public final class TextRecognizer {
    /// Readings below this mean confidence are dropped.
    public static let minimumConfidence = 60.0

    /// A caption band in which Tesseract's layout finds more lines than this is texture, and is not read
    /// (the layout is paid, the recognition after it is not). A band is at most a quarter of the picture's
    /// height, so 16 lines there are lines of a 64th of it; on the caption fixtures Tesseract finds 1–4
    /// lines a band, on `testmedia/photo.jpg`'s film grain 23–33, where reading each band cost 1.1 s.
    static let captionLineLimit = 16

    private let tesseract: Tesseract

    /// One Tesseract per recognizer. Tesseract's OpenMP threads only add overhead here (measured): run it
    /// with `OMP_THREAD_LIMIT=1` in the environment, as the media worker does. Library code never calls
    /// `setenv`: racing another thread's `getenv` (a child process being spawned) corrupts the heap.
    public init() throws {
        tesseract = try Tesseract()
    }

    /// Read the page of every picture, dense texture too (measurements and tests: what a texture costs
    /// without the `PageTexture` check). Off by default.
    public var readsEveryPage = false

    /// Reads the text of a picture file (image, or a video's first frame), held to `budget`.
    public func recognize(path: String, limits: MediaLimits, budget: OCRBudget = OCRBudget()) throws -> RecognizedText {
        _ = try MediaProber(limits: limits).probe(path: path)
        return try recognize(try FrameGrabber.firstPicture(path: path, limits: limits), budget: budget)
    }

    /// Reads the text of a picture, held to `budget`: a reading stopped there keeps what it read and says
    /// so in its `notes`.
    public func recognize(_ image: RGBImage, budget: OCRBudget = OCRBudget()) throws -> RecognizedText {
        try read(image, budget: budget).text
    }

    /// The reading of a picture, and what it took.
    func read(_ image: RGBImage, budget: OCRBudget) throws -> (text: RecognizedText, trace: OCRTrace) {
        let monitor = try TesseractMonitor(budget: budget)
        var stoppedIn: String?
        /// Whether a pass may start; once the budget is spent, notes the first pass left out.
        func mayStart(_ pass: String) -> Bool {
            guard monitor.isSpent else { return true }
            if stoppedIn == nil { stoppedIn = "before the \(pass) pass" }
            return false
        }
        /// After a pass: notes the pass the budget ran out in.
        func finished(_ pass: String) {
            if monitor.stop != nil, stoppedIn == nil {
                stoppedIn = "in the \(pass) pass" + (monitor.stoppedAt.map { ", at line \($0.word) of \($0.of)" } ?? "")
            }
        }

        var readings: [RecognizedText.Block] = []
        // A band of one or two shapes is a gradient's contour, not a caption (`CaptionGlyphs`).
        let bands = CaptionBoxFinder.boxes(in: image) + CaptionBandFinder.bands(in: image).filter { !CaptionGlyphs.isShape($0, in: image) }
        for band in bands {
            let method = band.isBox ? "caption box \(band.colorHex)" : "caption \(band.colorHex)"
            let rules: [CaptionMasker.Rule] = band.isBox ? [.colorDistance] : CaptionMasker.Rule.allCases
            var best: RecognizedText.Block?
            for rule in rules where mayStart(method) {
                let mask = CaptionMasker.mask(image, band: band, rule: rule)
                // More lines than a caption band holds: texture (film grain, gravel), not worth reading twice.
                guard let words = tesseract.recognize(
                    gray: mask.gray, width: mask.width, height: mask.height, mode: .block, monitor: monitor, lineLimit: Self.captionLineLimit
                ) else { break }
                finished(method)
                if let block = Self.block(words, in: mask, method: method), block.confidence > best?.confidence ?? -1 { best = block }
            }
            if let best { readings.append(best) }
        }

        var page = OCRTrace.Page.notReached
        if mayStart("page") {
            let mask = TextMask(gray: image.luma(), width: image.width, height: image.height, originX: 0, originY: 0, scale: 1, margin: 0)
            // Where the caption search found nothing, a page dense with outlines is texture: Tesseract's
            // layout analysis of it would cost seconds the monitor cannot cut, for no text (`PageTexture`).
            if bands.isEmpty, !readsEveryPage, PageTexture.isTexture(gray: mask.gray, width: mask.width, height: mask.height) {
                page = .skippedTexture
            } else {
                let words = tesseract.recognize(gray: mask.gray, width: mask.width, height: mask.height, mode: .automatic, monitor: monitor) ?? []
                finished("page")
                if let whole = Self.block(words, in: mask, method: "page") { readings.append(whole) }
                page = .read
            }
        }

        // Keep the most confident of readings that overlap (the same caption read two ways).
        var kept: [RecognizedText.Block] = []
        for reading in readings.sorted(by: { $0.confidence > $1.confidence })
        where !kept.contains(where: { Self.overlap($0, reading) > 0.5 }) {
            kept.append(reading)
        }
        let notes = stoppedIn.map { [Self.note(monitor.stop ?? .cpuBudget, budget: budget, where: $0)] }
        let text = RecognizedText(blocks: kept.sorted { ($0.y, $0.x) < ($1.y, $1.x) }, width: image.width, height: image.height, notes: notes)
        return (text, OCRTrace(ticks: monitor.ticks, cpuSeconds: monitor.cpuSpent, page: page, stop: monitor.stop, stoppedAt: monitor.stoppedAt))
    }

    /// The note on a reading stopped early.
    static func note(_ stop: TesseractMonitor.Stop, budget: OCRBudget, where place: String) -> String {
        let limit =
            switch stop {
            case .cpuBudget: "its budget of \(seconds(budget.cpuSeconds)) of Tesseract CPU time"
            case .deadline: "its deadline of \(seconds(budget.deadlineSeconds ?? 0)) (wall clock)"
            }
        return "OCR stopped at \(limit) \(place); the text read before the stop is kept"
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// The confident words of one Tesseract pass over a mask as one block, in the source picture's
    /// coordinates; nil when it found nothing confident.
    private static func block(_ recognized: [RecognizedWord], in mask: TextMask, method: String) -> RecognizedText.Block? {
        let words = recognized.filter { $0.text.contains { $0.isLetter || $0.isNumber } }
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
